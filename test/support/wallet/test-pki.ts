import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

/** A certificate and its private key, as a test issuer or verifier holds them. */
export interface TestCertificate {
  certificate: x509.X509Certificate;
  keys: CryptoKeyPair;
  /** Base64 DER, as an `x5c` entry holds it. */
  der: string;
  pem: string;
}

/** A self-signed CA (a root or an IACA), valid from `from` for `days`. */
export async function makeRoot(name: string, options: { from?: Date; days?: number } = {}): Promise<TestCertificate> {
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const notBefore = options.from ?? new Date(Date.now() - DAY);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.days ?? 365) * DAY),
    signingAlgorithm: ECDSA,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  return wrap(certificate, keys);
}

/**
 * A leaf (or, with `ca`, an intermediate) certificate signed by `issuer`, naming `dns` as its SAN, and
 * `country` in its subject (as an mdoc's document signer certificate must).
 */
export async function makeLeaf(
  issuer: TestCertificate,
  name: string,
  options: { dns?: string; uri?: string; ca?: boolean; from?: Date; days?: number; country?: string } = {},
): Promise<TestCertificate> {
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const notBefore = options.from ?? new Date(Date.now() - DAY);
  const names = [
    ...(options.dns ? [{ type: 'dns' as const, value: options.dns }] : []),
    ...(options.uri ? [{ type: 'url' as const, value: options.uri }] : []),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: options.country ? `CN=${name}, C=${options.country}` : `CN=${name}`,
    issuer: issuer.certificate.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + (options.days ?? 365) * DAY),
    signingAlgorithm: ECDSA,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca === true, undefined, true),
      new x509.KeyUsagesExtension(
        options.ca ? x509.KeyUsageFlags.keyCertSign : x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  return wrap(certificate, keys);
}

function wrap(certificate: x509.X509Certificate, keys: CryptoKeyPair): TestCertificate {
  return {
    certificate,
    keys,
    der: Buffer.from(certificate.rawData).toString('base64'),
    pem: certificate.toString('pem'),
  };
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
}
