import { X509Certificate } from 'node:crypto';
import { PresentationRejected } from './rejection.js';

/** Longer chains than this are refused before any signature is checked: work an attacker controls. */
const MAX_CHAIN = 5;

/**
 * The leaf of an `x5c` chain (base64 DER, leaf first) that ends at one of `roots`: every certificate
 * valid at `now`, each signed by the next, every issuer a CA. The root may be in the chain or not.
 */
export function verifyCertificateChain(x5c: unknown, roots: readonly X509Certificate[], now: Date): X509Certificate {
  return verifiedChain(x5c, roots, now).leaf;
}

/** As {@link verifyCertificateChain}, and which of `roots` the chain ends at. */
export function verifiedChain(
  x5c: unknown,
  roots: readonly X509Certificate[],
  now: Date,
): { leaf: X509Certificate; root: X509Certificate } {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN || !x5c.every((c) => typeof c === 'string'))
    throw new PresentationRejected('malformed');
  let chain: X509Certificate[];
  try {
    chain = x5c.map((c: string) => new X509Certificate(Buffer.from(c, 'base64')));
  } catch (error) {
    throw new PresentationRejected('malformed', { cause: error });
  }
  const [leaf, ...issuers] = chain;
  if (!leaf) throw new PresentationRejected('malformed');
  let last = leaf;
  for (const issuer of issuers) {
    if (!signedBy(last, issuer)) throw new PresentationRejected('issuer_untrusted');
    last = issuer;
  }
  const root = roots.find((r) => r.fingerprint256 === last.fingerprint256) ?? roots.find((r) => signedBy(last, r));
  if (!root) throw new PresentationRejected('issuer_untrusted');
  for (const certificate of [...chain, root]) {
    if (!validAt(certificate, now)) throw new PresentationRejected('issuer_untrusted');
  }
  return { leaf, root };
}

/** Whether `certificate` is issued and signed by `issuer`, a CA. */
function signedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  return issuer.ca && certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

function validAt(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}
