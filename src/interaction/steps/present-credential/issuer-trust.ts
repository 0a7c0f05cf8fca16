import type { X509Certificate } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, type KeyInput, type ProtectedHeaderParameters } from 'jose';
import { verifyCertificateChain } from './certificate-chain.js';
import { PresentationRejected } from './rejection.js';

/** Whom the step believes: certificate roots (x5c chains) and issuers listed by `iss` with their keys. */
export interface IssuerTrust {
  readonly roots: readonly X509Certificate[];
  readonly issuers: ReadonlyMap<string, JSONWebKeySet>;
}

/** Asymmetric algorithms only: a credential signed with a shared secret proves nothing. */
export const SIGNATURE_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
];

/** The key a trusted issuer signed this JWT with, and how the ledger names that issuer. */
export interface IssuerKey {
  key: KeyInput;
  /** The `iss`, or the certificate's subject when the chain identifies the issuer. */
  issuer: string;
  trustedBy: 'x509' | 'jwks';
}

/**
 * Finds the issuer's key for a JWT's header and (not yet verified) payload: an `x5c` chain to a
 * configured root, whose leaf must name the `iss` host when there is one, or the configured JWKS of
 * a listed `iss`. Anything else is untrusted.
 */
export async function issuerKey(
  trust: IssuerTrust,
  header: ProtectedHeaderParameters,
  compact: string,
  now: Date,
): Promise<IssuerKey> {
  const iss = unverifiedIssuer(compact);
  if (header.x5c !== undefined) {
    const leaf = verifyCertificateChain(header.x5c, trust.roots, now);
    if (iss !== undefined && !certificateNames(leaf, iss)) throw new PresentationRejected('issuer_untrusted');
    return { key: leaf.publicKey, issuer: iss ?? leaf.subject.replaceAll('\n', ', '), trustedBy: 'x509' };
  }
  const jwks = iss === undefined ? undefined : trust.issuers.get(iss);
  if (!jwks || iss === undefined) throw new PresentationRejected('issuer_untrusted');
  try {
    const key = await createLocalJWKSet(jwks)({ ...header, alg: header.alg ?? '' }, { payload: '', signature: '' });
    return { key, issuer: iss, trustedBy: 'jwks' };
  } catch (error) {
    // No key of this issuer matches the header's kid and alg.
    throw new PresentationRejected('signature_invalid', { cause: error });
  }
}

function unverifiedIssuer(compact: string): string | undefined {
  try {
    const { iss } = decodeJwt(compact);
    return typeof iss === 'string' ? iss : undefined;
  } catch (error) {
    throw new PresentationRejected('malformed', { cause: error });
  }
}

/** Whether the certificate stands for this issuer URL: its host as a DNS name, or the URL itself. */
function certificateNames(leaf: X509Certificate, iss: string): boolean {
  if ((leaf.subjectAltName ?? '').split(', ').includes(`URI:${iss}`)) return true;
  try {
    const url = new URL(iss);
    return url.protocol === 'https:' && leaf.checkHost(url.hostname, { subject: 'never' }) !== undefined;
  } catch {
    return false;
  }
}
