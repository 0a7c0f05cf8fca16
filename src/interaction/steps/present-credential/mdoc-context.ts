import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  X509Certificate,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { MdocContext } from '@animo-id/mdoc';
import type { JWK } from 'jose';
import { verifyCertificateChain } from './certificate-chain.js';

/** COSE algorithms (their ids) an mdoc may be signed with here, and the key each needs. */
const COSE_ALGORITHMS: Readonly<Record<string, { id: number; hash: string | null; curve: string }>> = {
  ES256: { id: -7, hash: 'sha256', curve: 'prime256v1' },
  ES384: { id: -35, hash: 'sha384', curve: 'secp384r1' },
  ES512: { id: -36, hash: 'sha512', curve: 'secp521r1' },
  EdDSA: { id: -8, hash: null, curve: 'ed25519' },
};

/** The COSE algorithm ids the verifier accepts, for the request's `vp_formats_supported`. */
export const COSE_ALGORITHM_IDS = Object.values(COSE_ALGORITHMS).map((a) => a.id);

/** What a COSE_Sign1 hands over to be signed or verified (the library builds the Sig_structure). */
interface SigningInput {
  alg: string;
  data: Uint8Array;
}

/** Whether `signature` over `data` verifies under `key` with `alg`, and the key is of the kind `alg` names. */
export function verifyCose(input: SigningInput & { signature: Uint8Array }, key: KeyObject): boolean {
  const algorithm = COSE_ALGORITHMS[input.alg];
  if (!algorithm) return false;
  if (algorithm.hash === null)
    return key.asymmetricKeyType === 'ed25519' && verify(null, input.data, key, input.signature);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== algorithm.curve) return false;
  return verify(algorithm.hash, input.data, { key, dsaEncoding: 'ieee-p1363' }, input.signature);
}

function signCose(input: SigningInput, key: KeyObject): Uint8Array {
  const algorithm = COSE_ALGORITHMS[input.alg];
  if (!algorithm) throw new Error(`COSE algorithm ${input.alg} is not supported`);
  return new Uint8Array(
    algorithm.hash === null
      ? sign(null, input.data, key)
      : sign(algorithm.hash, input.data, { key, dsaEncoding: 'ieee-p1363' }),
  );
}

/** The values of one attribute (`C`, `ST`, …) of a certificate's subject. */
export function subjectField(certificate: X509Certificate, field: string): string[] {
  return certificate.subject
    .split('\n')
    .filter((line) => line.startsWith(`${field}=`))
    .map((line) => line.slice(field.length + 1));
}

const certificateOf = (der: Uint8Array) => new X509Certificate(der);
const jwkKey = (jwk: JWK, kind: 'public' | 'private'): KeyObject =>
  (kind === 'public' ? createPublicKey : createPrivateKey)({ key: jwk as JsonWebKey, format: 'jwk' });

/**
 * What `@animo-id/mdoc` asks of its host: node's digests, COSE signatures and X.509. Device
 * authentication by MAC is refused: it needs a reader key agreed with the device, which OpenID4VP
 * over redirects does not have.
 */
export const mdocContext: MdocContext = {
  crypto: {
    random: (length) => new Uint8Array(randomBytes(length)),
    digest: ({ digestAlgorithm, bytes }) =>
      new Uint8Array(createHash(digestAlgorithm.replace('-', '').toLowerCase()).update(bytes).digest()),
    calculateEphemeralMacKeyJwk: () => {
      throw new Error('mdoc device authentication by MAC is not supported');
    },
  },
  cose: {
    sign1: {
      sign: ({ sign1, jwk }) => signCose(sign1.getRawSigningData(), jwkKey(jwk, 'private')),
      verify: ({ sign1, jwk, options }) => {
        try {
          return verifyCose(sign1.getRawVerificationData(options), jwkKey(jwk, 'public'));
        } catch {
          return false;
        }
      },
    },
    mac0: {
      sign: () => {
        throw new Error('mdoc device authentication by MAC is not supported');
      },
      verify: () => false,
    },
  },
  x509: {
    getIssuerNameField: ({ certificate, field }) => subjectField(certificateOf(certificate), field),
    getPublicKey: ({ certificate }) => certificateOf(certificate).publicKey.export({ format: 'jwk' }),
    validateCertificateChain: ({ trustedCertificates, x5chain }) => {
      verifyCertificateChain(
        x5chain.map((c) => Buffer.from(c).toString('base64')),
        trustedCertificates.map(certificateOf),
        new Date(),
      );
    },
    getCertificateData: ({ certificate }) => {
      const c = certificateOf(certificate);
      return {
        issuerName: c.issuer.replaceAll('\n', ', '),
        subjectName: c.subject.replaceAll('\n', ', '),
        serialNumber: c.serialNumber,
        thumbprint: c.fingerprint256.replaceAll(':', '').toLowerCase(),
        notBefore: new Date(c.validFrom),
        notAfter: new Date(c.validTo),
        pem: c.toString(),
      };
    },
  },
};
