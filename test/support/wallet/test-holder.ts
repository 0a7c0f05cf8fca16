import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { sha256b64url, type IssuedCredential } from './test-issuer.js';

/** The wallet's key pair: the credential is bound to its public half (`cnf`). */
export interface TestHolder {
  publicJwk: JWK;
  privateKey: CryptoKey;
}

export async function makeHolder(): Promise<TestHolder> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { publicJwk: await exportJWK(publicKey), privateKey };
}

/** What a presentation is made for, and any deliberate fault in it. */
export interface PresentOptions {
  holder: TestHolder;
  nonce: string;
  aud: string;
  /** Which disclosures to present (all by default), in this order. */
  disclose?: readonly string[];
  /** Extra encoded disclosures, e.g. a changed or foreign one. */
  extraDisclosures?: readonly string[];
  iat?: number;
  /** Sign the key-binding JWT with this key instead of the holder's. */
  signWith?: CryptoKey;
  sdHash?: string;
  typ?: string;
  /** No key-binding JWT at all (an SD-JWT, not an SD-JWT+KB). */
  withoutKeyBinding?: boolean;
}

/** An SD-JWT+KB presentation (RFC 9901 §4.3): the issuer JWT, chosen disclosures, a key-binding JWT. */
export async function present(credential: IssuedCredential, options: PresentOptions): Promise<string> {
  const chosen = (options.disclose ?? Object.keys(credential.disclosures)).map((name) => credential.disclosures[name]!);
  const sdJwt = `${[credential.jwt, ...chosen, ...(options.extraDisclosures ?? [])].join('~')}~`;
  if (options.withoutKeyBinding) return sdJwt;
  const kb = await new SignJWT({
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    aud: options.aud,
    nonce: options.nonce,
    sd_hash: options.sdHash ?? sha256b64url(sdJwt),
  })
    .setProtectedHeader({ alg: 'ES256', typ: options.typ ?? 'kb+jwt' })
    .sign(options.signWith ?? options.holder.privateKey);
  return sdJwt + kb;
}
