import { createHash } from 'node:crypto';
import { decodeSdJwtSync, unpackSync } from '@sd-jwt/decode';
import { DcqlQuery } from 'dcql';
import { SignJWT } from 'jose';
import { claimAt } from '../interaction/steps/present-credential/credential-query.js';
import type { HeldSdJwt } from './demo-licence.js';
import type { HeldMdoc } from './demo-mdl.js';
import { heldMdocClaims, matchMdoc, presentMdoc, type MdocMatch } from './wallet-mdoc.js';

type ClaimPath = ReadonlyArray<string | number | null>;

/** A credential the demo wallet holds. */
export type HeldCredential = HeldSdJwt | HeldMdoc;

/** What the wallet read of a request's one credential query, and what it will show and send. */
export type CredentialMatch = SdJwtMatch | MdocMatch;

interface SdJwtMatch {
  format: 'dc+sd-jwt';
  queryId: string;
  held: HeldSdJwt;
  /** The claims the query asks for, with the held values, in the query's order. */
  shown: Array<{ path: string; value: unknown }>;
  /** The encoded disclosures those claims need, and nothing more. */
  disclosures: string[];
}

const sha256 = (data: string | ArrayBuffer): Uint8Array =>
  createHash('sha256')
    .update(typeof data === 'string' ? data : new Uint8Array(data))
    .digest();

/** The first held credential that answers the query; undefined when none does, or it asks for more than one. */
export function matchCredential(query: DcqlQuery, held: readonly HeldCredential[]): CredentialMatch | undefined {
  for (const credential of held) {
    const match = credential.format === 'mso_mdoc' ? matchMdoc(query, credential) : matchSdJwt(query, credential);
    if (match) return match;
  }
  return undefined;
}

/**
 * Whether the held SD-JWT VC answers the query (DCQL decides: format, vct, claims and their
 * values), and then which disclosures it must reveal: those along each path asked for and beneath it.
 */
function matchSdJwt(query: DcqlQuery, held: HeldSdJwt): SdJwtMatch | undefined {
  const [asked, ...more] = query.credentials;
  if (more.length > 0 || asked.format !== 'dc+sd-jwt') return undefined;
  const { decoded, claims, disclosureKeymap } = unpacked(held);
  const result = DcqlQuery.query(query, [
    {
      credential_format: 'dc+sd-jwt',
      vct: String(claims.vct),
      claims: claims as Record<string, never>,
      cryptographic_holder_binding: true,
    },
  ]);
  if (!result.can_be_satisfied) return undefined;

  const paths: ClaimPath[] = (asked.claims ?? []).map((claim) => claim.path);
  const needed = new Set(
    Object.entries(disclosureKeymap)
      .filter(([dotted]) => paths.some((path) => related(dotted.split('.'), path)))
      .map(([, digest]) => digest),
  );
  return {
    format: 'dc+sd-jwt',
    queryId: asked.id,
    held,
    shown: paths.map((path) => ({
      path: path.map((key) => (key === null ? '*' : String(key))).join('.'),
      value: claimAt(claims, path),
    })),
    disclosures: decoded.disclosures
      .filter((d) => d._digest !== undefined && needed.has(d._digest))
      .map((d) => d.encode()),
  };
}

/** The `vp_token` answering a request with what `match` chose. */
export async function presentation(
  match: CredentialMatch,
  request: { nonce: string; clientId: string; responseUri: string },
  now: Date,
): Promise<string> {
  return match.format === 'mso_mdoc' ? presentMdoc(match, request) : presentSdJwt(match, request, now);
}

/**
 * An SD-JWT VC presentation (OpenID4VP 1.0 §8.1): the issuer JWT, the chosen disclosures and a
 * key-binding JWT (`kb+jwt`) signed by the holder key over this request's nonce, the client id as
 * `aud`, and `sd_hash` of what precedes it.
 */
async function presentSdJwt(
  match: SdJwtMatch,
  request: { nonce: string; clientId: string },
  now: Date,
): Promise<string> {
  const { held } = match;
  const [issuerJwt] = held.sdJwt.split('~');
  const presented = `${[issuerJwt, ...match.disclosures].join('~')}~`;
  const keyBinding = await new SignJWT({
    iat: Math.floor(now.getTime() / 1000),
    aud: request.clientId,
    nonce: request.nonce,
    sd_hash: Buffer.from(sha256(presented)).toString('base64url'),
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'kb+jwt' })
    .sign(held.holderKey);
  return JSON.stringify({ [match.queryId]: [presented + keyBinding] });
}

/** What the wallet shows of what it holds: the issuer, the type, and the claims it may disclose. */
export function heldClaims(held: HeldCredential): {
  issuer: string;
  type: string;
  disclosable: Array<{ path: string; value: unknown }>;
} {
  if (held.format === 'mso_mdoc') return heldMdocClaims(held);
  const { claims, disclosureKeymap } = unpacked(held);
  const disclosable = Object.keys(disclosureKeymap).map((path) => ({ path, value: claimAt(claims, path.split('.')) }));
  return { issuer: String(claims.iss), type: String(claims.vct), disclosable };
}

function unpacked(held: HeldSdJwt) {
  const decoded = decodeSdJwtSync(held.sdJwt, sha256);
  const { unpackedObj, disclosureKeymap } = unpackSync(decoded.jwt.payload, decoded.disclosures, sha256);
  return { decoded, claims: unpackedObj as Record<string, unknown>, disclosureKeymap };
}

/** Whether a disclosure at `dotted` lies on `path` (an object on the way) or beneath it (`null`: any array item). */
function related(dotted: readonly string[], path: ClaimPath): boolean {
  const common = Math.min(dotted.length, path.length);
  for (let i = 0; i < common; i++) {
    const key = path[i];
    if (key !== null && String(key) !== dotted[i]) return false;
  }
  return true;
}
