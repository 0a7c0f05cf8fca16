import { createHash } from 'node:crypto';
import { decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import { decodeProtectedHeader, errors, importJWK, jwtVerify, type JWK, type JWTPayload, type KeyInput } from 'jose';
import { issuerKey, SIGNATURE_ALGORITHMS, type IssuerTrust } from './issuer-trust.js';
import { PresentationRejected } from './rejection.js';
import type { PresentedCredential } from './presented-credential.js';
import { checkStatus, type StatusReference, type StatusLists } from './status-list.js';

/** What this try expects of a presentation. */
export interface SdJwtExpectations {
  trust: IssuerTrust;
  /** The `vct` values the query asks for. */
  types: readonly string[];
  nonce: string;
  /** Our client id: the key-binding JWT's `aud`. */
  audience: string;
  now: Date;
  statusLists: StatusLists;
}

/** Clock skew tolerated between the issuer, the wallet and the hook. */
const SKEW_SECONDS = 60;
/** A key-binding JWT older than this was not made for the request being answered now. */
const KEY_BINDING_MAX_AGE_SECONDS = 300;

const sha256 = (data: string | ArrayBuffer): Uint8Array =>
  createHash('sha256')
    .update(typeof data === 'string' ? data : new Uint8Array(data))
    .digest();

/**
 * Verifies an SD-JWT VC presentation with key binding (SD-JWT VC, RFC 9901): the issuer's signature
 * and validity, the type, every disclosure against a digest, the holder's key-binding JWT for this
 * request, and the status list when the credential has one.
 */
export async function verifySdJwtVc(presentation: string, expect: SdJwtExpectations): Promise<PresentedCredential> {
  const parts = presentation.split('~');
  const [issuerJwt, ...rest] = parts;
  const keyBindingJwt = rest.pop();
  if (issuerJwt === undefined || keyBindingJwt === undefined) throw new PresentationRejected('malformed');
  if (keyBindingJwt === '') throw new PresentationRejected('key_binding_missing');

  const header = protectedHeader(issuerJwt, 'malformed');
  if (header.typ !== 'dc+sd-jwt') throw new PresentationRejected('malformed');
  const signer = await issuerKey(expect.trust, header, issuerJwt, expect.now);
  const payload = await verifiedPayload(issuerJwt, signer.key, expect.now, 'signature_invalid');

  if (typeof payload.vct !== 'string' || !expect.types.includes(payload.vct))
    throw new PresentationRejected('type_not_requested');
  if (payload._sd_alg !== undefined && payload._sd_alg !== 'sha-256') throw new PresentationRejected('malformed');

  const { claims, disclosed } = disclose(issuerJwt, rest, payload);
  await verifyKeyBinding(keyBindingJwt, payload, `${[issuerJwt, ...rest].join('~')}~`, expect);
  const status = payload.status as { status_list?: StatusReference } | undefined;
  const statusChecked = status?.status_list !== undefined;
  if (statusChecked) await checkStatus(status.status_list, expect.trust, expect.now, expect.statusLists);

  return {
    format: 'dc+sd-jwt',
    type: payload.vct,
    issuer: signer.issuer,
    trustedBy: signer.trustedBy,
    claims,
    disclosed,
    statusChecked,
  };
}

function protectedHeader(jwt: string, reason: 'malformed' | 'key_binding_invalid') {
  try {
    return decodeProtectedHeader(jwt);
  } catch (error) {
    throw new PresentationRejected(reason, { cause: error });
  }
}

async function verifiedPayload(
  jwt: string,
  key: KeyInput,
  now: Date,
  badSignature: 'signature_invalid' | 'key_binding_invalid',
): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(jwt, key, {
      algorithms: SIGNATURE_ALGORITHMS,
      currentDate: now,
      clockTolerance: SKEW_SECONDS,
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JWTExpired) throw new PresentationRejected('expired', { cause: error });
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf')
      throw new PresentationRejected('not_yet_valid', { cause: error });
    if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JOSEAlgNotAllowed)
      throw new PresentationRejected(badSignature, { cause: error });
    throw new PresentationRejected(badSignature === 'signature_invalid' ? 'malformed' : badSignature, { cause: error });
  }
}

/**
 * The claims with the disclosures applied. Every disclosure must be referenced by exactly one digest
 * of the signed payload (or of another disclosure): one changed, added or repeated is refused, where
 * a decoder would silently ignore it.
 */
function disclose(
  issuerJwt: string,
  encoded: readonly string[],
  payload: JWTPayload,
): { claims: Record<string, unknown>; disclosed: string[] } {
  let disclosures: ReturnType<typeof decodeSdJwtSync>['disclosures'];
  try {
    disclosures = decodeSdJwtSync(`${issuerJwt}~${encoded.join('~')}~`, sha256).disclosures;
  } catch (error) {
    throw new PresentationRejected('disclosure_invalid', { cause: error });
  }
  const referenced = new Set<string>();
  collectDigests(payload, referenced);
  for (const d of disclosures) collectDigests(d.value, referenced);
  const seen = new Set<string>();
  for (const d of disclosures) {
    const digest = d._digest;
    const wellFormed =
      typeof d.salt === 'string' &&
      (d.key === undefined || (typeof d.key === 'string' && d.key !== '_sd' && d.key !== '...'));
    if (!wellFormed || digest === undefined || !referenced.has(digest) || seen.has(digest))
      throw new PresentationRejected('disclosure_invalid');
    seen.add(digest);
  }
  const { unpackedObj, disclosureKeymap } = unpackSync(payload, disclosures, sha256);
  const claims = { ...(unpackedObj as Record<string, unknown>) };
  delete claims._sd_alg;
  return { claims, disclosed: Object.keys(disclosureKeymap).sort() };
}

/** The digests an object refers to: `_sd` arrays and `{"...": digest}` array elements, at any depth. */
function collectDigests(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectDigests(item, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key === '_sd' && Array.isArray(inner))
      for (const digest of inner) if (typeof digest === 'string') into.add(digest);
    if (key === '...' && typeof inner === 'string') into.add(inner);
    collectDigests(inner, into);
  }
}

async function verifyKeyBinding(
  keyBindingJwt: string,
  payload: JWTPayload,
  presented: string,
  expect: SdJwtExpectations,
): Promise<void> {
  const cnf = payload.cnf as { jwk?: unknown } | undefined;
  if (typeof cnf?.jwk !== 'object' || cnf.jwk === null) throw new PresentationRejected('key_binding_missing');
  const jwk = cnf.jwk as JWK;
  const header = protectedHeader(keyBindingJwt, 'key_binding_invalid');
  if (header.typ !== 'kb+jwt' || typeof header.alg !== 'string' || !SIGNATURE_ALGORITHMS.includes(header.alg))
    throw new PresentationRejected('key_binding_invalid');
  let holderKey;
  try {
    holderKey = await importJWK(jwk, header.alg);
  } catch (error) {
    throw new PresentationRejected('key_binding_invalid', { cause: error });
  }
  const kb = await verifiedPayload(keyBindingJwt, holderKey, expect.now, 'key_binding_invalid');
  if (kb.aud !== expect.audience) throw new PresentationRejected('audience_mismatch');
  if (kb.nonce !== expect.nonce) throw new PresentationRejected('nonce_mismatch');
  const now = expect.now.getTime() / 1000;
  if (typeof kb.iat !== 'number' || kb.iat < now - KEY_BINDING_MAX_AGE_SECONDS || kb.iat > now + SKEW_SECONDS)
    throw new PresentationRejected('key_binding_stale');
  if (kb.sd_hash !== Buffer.from(sha256(presented)).toString('base64url'))
    throw new PresentationRejected('sd_hash_mismatch');
}
