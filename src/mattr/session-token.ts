import { createHash, type KeyObject } from 'node:crypto';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';

/** A token's claims as they arrive: anything, until checked. */
type Claims = Record<string, unknown>;

/** Why an arriving session token was refused. Shared by logs, metrics and the error page. */
export type ArrivalRejection =
  | 'token_missing'
  | 'token_malformed'
  | 'token_bad_signature'
  | 'token_bad_algorithm'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_wrong_issuer'
  | 'token_wrong_audience'
  | 'token_missing_exp'
  | 'token_missing_state'
  | 'token_missing_redirect'
  | 'redirect_not_allowed';

/** What the tenant tells us when the user arrives, once verified. */
export interface Arrival {
  state: string;
  redirectUrl: string;
  claims: Record<string, unknown>;
  subject: string | null;
  /** `jti` when the tenant sends one, else the SHA-256 of the token: the key of single use. */
  replayKey: string;
  expiresAt: Date;
}

export type ArrivalResult = { ok: true; arrival: Arrival } | { ok: false; reason: ArrivalRejection };

export interface ArrivalCheck {
  /** Current key first; a previous key is tried only when the signature does not match. */
  keys: readonly KeyObject[];
  tenantUrl: string;
  hookUrl: string;
  allowedRedirectOrigins: ReadonlySet<string>;
  clockToleranceSeconds: number;
  now: Date;
}

/** The longest `state` we keep; the tenant's are ~21 characters. */
const MAX_STATE_LENGTH = 2048;

export function verifyArrival(token: unknown, check: ArrivalCheck): ArrivalResult {
  if (token === undefined || token === '') return { ok: false, reason: 'token_missing' };
  if (typeof token !== 'string') return { ok: false, reason: 'token_malformed' };
  let payload: Claims | undefined;
  let reason: ArrivalRejection = 'token_bad_signature';
  for (const key of check.keys) {
    try {
      payload = verifierFor(key)(token);
      break;
    } catch (error) {
      reason = rejectionOf(error);
      if (reason !== 'token_bad_signature') return { ok: false, reason };
    }
  }
  if (!payload) return { ok: false, reason };
  if (!plausibleTimes(payload, check.now)) return { ok: false, reason: 'token_malformed' };
  const at = check.now.getTime() / 1000;
  if (Number(payload.exp) <= at - check.clockToleranceSeconds) return { ok: false, reason: 'token_expired' };
  if (typeof payload.nbf === 'number' && payload.nbf > at + check.clockToleranceSeconds) return { ok: false, reason: 'token_not_yet_valid' };
  if (payload.iss !== check.tenantUrl) return { ok: false, reason: 'token_wrong_issuer' };
  if (!(payload.aud === check.hookUrl || (Array.isArray(payload.aud) && payload.aud.includes(check.hookUrl)))) {
    return { ok: false, reason: 'token_wrong_audience' };
  }

  const { state, redirectUrl } = payload;
  if (typeof state !== 'string' || state.length === 0 || state.length > MAX_STATE_LENGTH) {
    return { ok: false, reason: 'token_missing_state' };
  }
  if (typeof redirectUrl !== 'string' || redirectUrl.length === 0) {
    return { ok: false, reason: 'token_missing_redirect' };
  }
  if (!isAllowedRedirect(redirectUrl, check.allowedRedirectOrigins)) {
    return { ok: false, reason: 'redirect_not_allowed' };
  }
  return {
    ok: true,
    arrival: {
      state,
      redirectUrl,
      claims: isPlainObject(payload.claims) ? payload.claims : {},
      subject: typeof payload.sub === 'string' && payload.sub !== '' ? payload.sub : null,
      replayKey: typeof payload.jti === 'string' && payload.jti !== '' ? `jti:${payload.jti}` : `sha256:${canonicalDigest(token)}`,
      expiresAt: new Date(Number(payload.exp) * 1000),
    },
  };
}

/**
 * The SHA-256 of the token as the tenant would write it. The decoder ignores the spare bits of the
 * signature's last character, so one verified token can be spelt four ways; hashing the raw text
 * would give each spelling its own single use.
 */
function canonicalDigest(token: string): string {
  const [header, payload, signature] = token.split('.');
  const canonical = `${header}.${payload}.${Buffer.from(signature ?? '', 'base64url').toString('base64url')}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Further from now than any session token lives, either way: a time like 1e300 is no time at all. */
const PLAUSIBLE_SECONDS = 366 * 24 * 3600;

/** `exp`, `iat` and `nbf`, where present, are finite and within a year of now. */
function plausibleTimes(payload: Claims, now: Date): boolean {
  const at = now.getTime() / 1000;
  return [payload.exp, payload.iat, payload.nbf].every((t) => t === undefined || (typeof t === 'number' && Number.isFinite(t) && Math.abs(t - at) <= PLAUSIBLE_SECONDS));
}

function isAllowedRedirect(url: string, origins: ReadonlySet<string>): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  if (parsed.username !== '' || parsed.password !== '') return false;
  return origins.has(parsed.origin);
}

/** fast-jwt's error codes, as the reasons we log and count. */
const REJECTIONS: Partial<Record<string, ArrivalRejection>> = {
  [TokenError.codes.missingRequiredClaim]: 'token_missing_exp',
  [TokenError.codes.invalidAlgorithm]: 'token_bad_algorithm',
  // Unsigned: `alg: none`, or a signature left off.
  [TokenError.codes.missingSignature]: 'token_bad_algorithm',
  [TokenError.codes.invalidSignature]: 'token_bad_signature',
};

function rejectionOf(error: unknown): ArrivalRejection {
  return (error instanceof TokenError && REJECTIONS[error.code]) || 'token_malformed';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How long a token we send back may live: the tenant's tolerance is unknown, so keep it short. */
export const COMPLETION_LIFETIME_SECONDS = 60;

export interface Signer {
  key: KeyObject;
  hookUrl: string;
  tenantUrl: string;
  now: Date;
}

/** The token that tells the tenant the steps succeeded (PROTOCOL §3). */
export function signCompletion(signer: Signer, body: { state: string; claims: Record<string, unknown>; claimsToPersist: readonly string[] }): string {
  return sign(signer, { state: body.state, claims: body.claims, claimsToPersist: [...body.claimsToPersist] });
}

/** The token that fails the issuance, e.g. when the user declines the terms (PROTOCOL §3). */
export function signFailure(signer: Signer, body: { state: string; message: string }): string {
  return sign(signer, { state: body.state, error: { message: body.message } });
}

function sign(signer: Signer, payload: Record<string, unknown>): string {
  return signerFor(signer)({ ...payload, iat: Math.floor(signer.now.getTime() / 1000) });
}

/**
 * fast-jwt checks the signature, the algorithm and that `exp` is there; the times are checked in
 * `verifyArrival` against the caller's clock, so that one verifier per key serves every request.
 */
const verifiers = new WeakMap<KeyObject, (token: string) => Claims>();

function verifierFor(key: KeyObject): (token: string) => Claims {
  let verifier = verifiers.get(key);
  if (!verifier) {
    verifier = createVerifier({ key: key.export(), algorithms: ['HS256'], requiredClaims: ['exp'], ignoreExpiration: true, ignoreNotBefore: true }) as (token: string) => Claims;
    verifiers.set(key, verifier);
  }
  return verifier;
}

/** One signer per key and pair of URLs: `exp` follows the `iat` each token is given. */
const signers = new WeakMap<KeyObject, Map<string, (payload: Record<string, unknown>) => string>>();

function signerFor({ key, hookUrl, tenantUrl }: Signer): (payload: Record<string, unknown>) => string {
  let forKey = signers.get(key);
  if (!forKey) {
    forKey = new Map();
    signers.set(key, forKey);
  }
  const urls = `${hookUrl} ${tenantUrl}`;
  let signer = forKey.get(urls);
  if (!signer) {
    signer = createSigner({ key: key.export(), algorithm: 'HS256', iss: hookUrl, aud: tenantUrl, expiresIn: COMPLETION_LIFETIME_SECONDS * 1000 });
    forKey.set(urls, signer);
  }
  return signer;
}

/** The tenant's `redirectUrl` with our token set, built with the URL API. */
export function returnUrl(redirectUrl: string, sessionToken: string): string {
  const url = new URL(redirectUrl);
  url.searchParams.set('session_token', sessionToken);
  return url.toString();
}
