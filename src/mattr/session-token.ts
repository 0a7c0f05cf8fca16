import { createHash, webcrypto, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { keepsUrlRules } from '../web/url-rules.js';

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

export async function verifyArrival(token: unknown, check: ArrivalCheck): Promise<ArrivalResult> {
  if (token === undefined || token === '') return { ok: false, reason: 'token_missing' };
  if (typeof token !== 'string') return { ok: false, reason: 'token_malformed' };
  const misspelt = misspelling(token);
  if (misspelt) return { ok: false, reason: misspelt };
  let payload: JWTPayload | undefined;
  let reason: ArrivalRejection = 'token_bad_signature';
  for (const key of check.keys) {
    try {
      ({ payload } = await jwtVerify(token, await hmacKey(key), {
        algorithms: ['HS256'],
        issuer: check.tenantUrl,
        audience: check.hookUrl,
        requiredClaims: ['exp'],
        clockTolerance: check.clockToleranceSeconds,
        currentDate: check.now,
      }));
      break;
    } catch (error) {
      reason = rejectionOf(error, token, check.now);
      if (reason !== 'token_bad_signature') return { ok: false, reason };
    }
  }
  if (!payload) return { ok: false, reason };
  if (!plausibleTimes(payload, check.now)) return { ok: false, reason: 'token_malformed' };

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
      replayKey:
        typeof payload.jti === 'string' && payload.jti !== ''
          ? `jti:${payload.jti}`
          : `sha256:${canonicalDigest(token)}`,
      expiresAt: new Date(Number(payload.exp) * 1000),
    },
  };
}

/**
 * The SHA-256 of the token as the tenant would write it. jose's decoder ignores the spare bits of
 * the signature's last character, so one verified token can be spelt four ways; hashing the raw
 * text would give each spelling its own single use.
 */
function canonicalDigest(token: string): string {
  const [header, payload, signature] = token.split('.');
  const canonical = `${header}.${payload}.${Buffer.from(signature ?? '', 'base64url').toString('base64url')}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Further from now than any session token lives, either way: a time like 1e300 is no time at all. */
const PLAUSIBLE_SECONDS = 366 * 24 * 3600;

/** `exp`, `iat` and `nbf`, where present, are finite and within a year of now. */
function plausibleTimes(payload: JWTPayload, now: Date): boolean {
  const at = now.getTime() / 1000;
  return [payload.exp, payload.iat, payload.nbf].every(
    (t) => t === undefined || (typeof t === 'number' && Number.isFinite(t) && Math.abs(t - at) <= PLAUSIBLE_SECONDS),
  );
}

function isAllowedRedirect(url: string, origins: ReadonlySet<string>): boolean {
  // The scheme is the origin's to say: any that is not a configured origin's goes nowhere.
  return keepsUrlRules(url, { http: 'anywhere', noCredentials: true }) && origins.has(new URL(url).origin);
}

/** Base64url as a compact JWS writes it (RFC 7515 §2): no `=` padding, no whitespace or line breaks. */
const COMPACT_JWS = /^[\w-]*\.[\w-]*\.[\w-]*$/;
const BASE64URL = /^[\w-]*$/;

/**
 * jose decodes base64url leniently (padding and whitespace are skipped), so a token the tenant did
 * not write could verify: refused here with the reason it always had. The spare bits of the last
 * character are left to `canonicalDigest`.
 */
function misspelling(token: string): ArrivalRejection | null {
  if (COMPACT_JWS.test(token)) return null;
  const [header = '', payload = '', ...signature] = token.split('.');
  return signature.length === 1 && BASE64URL.test(header) && BASE64URL.test(payload)
    ? 'token_bad_signature'
    : 'token_malformed';
}

/** A claim jose refused, as the reason we log and count; a claim time that is no time is malformed first. */
const CLAIM_REJECTIONS: Partial<Record<string, ArrivalRejection>> = {
  iss: 'token_wrong_issuer',
  aud: 'token_wrong_audience',
  exp: 'token_missing_exp',
  nbf: 'token_not_yet_valid',
};

function rejectionOf(error: unknown, token: string, now: Date): ArrivalRejection {
  if (error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed) {
    if (!plausibleTimes(error.payload, now) || error.reason === 'invalid') return 'token_malformed';
    return error instanceof errors.JWTExpired ? 'token_expired' : (CLAIM_REJECTIONS[error.claim] ?? 'token_malformed');
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token_bad_algorithm';
  // Unsigned: a signature left off, or no `alg` at all.
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return token.endsWith('.') ? 'token_bad_algorithm' : 'token_bad_signature';
  if (error instanceof errors.JWSInvalid && namesNoAlgorithm(token)) return 'token_bad_algorithm';
  return 'token_malformed';
}

/** Whether the token's header is readable and names no algorithm (jose calls that an invalid JWS). */
function namesNoAlgorithm(token: string): boolean {
  try {
    const { alg } = decodeProtectedHeader(token);
    return typeof alg !== 'string' || alg === '';
  } catch {
    return false;
  }
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
export function signCompletion(
  signer: Signer,
  body: { state: string; claims: Record<string, unknown>; claimsToPersist: readonly string[] },
): Promise<string> {
  return sign(signer, { state: body.state, claims: body.claims, claimsToPersist: [...body.claimsToPersist] });
}

/** The token that fails the issuance, e.g. when the user declines the terms (PROTOCOL §3). */
export function signFailure(signer: Signer, body: { state: string; message: string }): Promise<string> {
  return sign(signer, { state: body.state, error: { message: body.message } });
}

async function sign(signer: Signer, payload: JWTPayload): Promise<string> {
  const iat = Math.floor(signer.now.getTime() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(signer.hookUrl)
    .setAudience(signer.tenantUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + COMPLETION_LIFETIME_SECONDS)
    .sign(await hmacKey(signer.key));
}

const hmacKeys = new WeakMap<KeyObject, Promise<webcrypto.CryptoKey>>();

/**
 * jose turns a KeyObject into a WebCrypto key again on every call, which costs as much as the
 * HMAC itself; each secret is imported once instead, for as long as its KeyObject lives (HookKeys
 * keeps one per secret).
 */
function hmacKey(key: KeyObject): Promise<webcrypto.CryptoKey> {
  let imported = hmacKeys.get(key);
  if (!imported) {
    imported = webcrypto.subtle.importKey('raw', key.export(), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
      'verify',
    ]);
    hmacKeys.set(key, imported);
  }
  return imported;
}

/** The tenant's `redirectUrl` with our token set, built with the URL API. */
export function returnUrl(redirectUrl: string, sessionToken: string): string {
  const url = new URL(redirectUrl);
  url.searchParams.set('session_token', sessionToken);
  return url.toString();
}
