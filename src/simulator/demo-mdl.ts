// @peculiar/x509 needs the Reflect metadata API (its dependency injection): loaded before it.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DateOnly, Document, MDoc } from '@animo-id/mdoc';
import * as x509 from '@peculiar/x509';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { mdocContext } from '../interaction/steps/present-credential/mdoc-context.js';
import { DEMO_LICENCE_FACTS } from './demo-licence.js';
import { writeDemoSteps, type DemoStepsFile } from './demo-steps-copy.js';

const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
const MDL_NAMESPACE = 'org.iso.18013.5.1';

/** An mdoc as the wallet holds it: the issuer-signed document (encoded) and its device key. */
export interface HeldMdoc {
  format: 'mso_mdoc';
  issued: Uint8Array;
  deviceKey: JWK;
  title: string;
}

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

x509.cryptoProvider.set(webcrypto);

/**
 * The demo's mDL and who issued it, made at every start: an IACA root and a document signer under
 * it, both in memory (only the root's certificate is written, so no private key of an issuer the
 * demo trusts is at rest or shipped), an mDL for `person` with a device key the wallet keeps, and
 * the steps file "terms + present an mDL": the shipped example with the wallet's URL and this root.
 */
export async function issueDemoMdl(options: {
  example: string;
  dir: string;
  walletUrl: string;
  person: { given_name: string; family_name: string };
}): Promise<{ stepsFile: string; credential: HeldMdoc }> {
  const now = new Date();
  const iaca = await certificate({ subject: 'C=NZ, CN=Demo IACA', ca: true, from: now });
  const signer = await certificate({ subject: 'C=NZ, CN=Demo Licence Signer', ca: false, from: now, issuer: iaca });
  const device = await generateKeyPair('ES256', { extractable: true });
  const facts = DEMO_LICENCE_FACTS;
  const elements = {
    family_name: options.person.family_name,
    given_name: options.person.given_name,
    birth_date: new DateOnly(facts.birthdate),
    issue_date: new DateOnly(facts.issue_date),
    expiry_date: new DateOnly(facts.expiry_date),
    issuing_country: facts.issuing_country,
    issuing_authority: facts.issuing_authority,
    document_number: facts.document_number,
    driving_privileges: [{ vehicle_category_code: 'B' }],
  };
  const document = await new Document(MDL_DOCTYPE, mdocContext)
    .addIssuerNameSpace(MDL_NAMESPACE, elements)
    .useDigestAlgorithm('SHA-256')
    .addValidityInfo({ signed: now, validFrom: now, validUntil: new Date(now.getTime() + 365 * DAY) })
    .addDeviceKeyInfo({ deviceKey: await exportJWK(device.publicKey) })
    .sign(
      {
        issuerPrivateKey: await webcrypto.subtle.exportKey('jwk', signer.keys.privateKey),
        issuerCertificate: signer.certificate.toString('pem'),
        alg: 'ES256',
      },
      mdocContext,
    );

  const rootFile = 'demo-iaca.cert.pem';
  const example = JSON.parse(readFileSync(options.example, 'utf8')) as DemoStepsFile;
  const stepsFile = writeDemoSteps(example, options.example, {
    dir: options.dir,
    name: 'terms-present-mdl.config.json',
    walletUrl: options.walletUrl,
    trust: { x509Roots: [rootFile] },
  });
  writeFileSync(path.join(options.dir, rootFile), iaca.certificate.toString('pem'));
  return {
    stepsFile,
    credential: {
      format: 'mso_mdoc',
      issued: new MDoc([document]).encode(),
      deviceKey: await exportJWK(device.privateKey),
      title: 'Driving licence (mDL)',
    },
  };
}

/** A P-256 certificate valid for a year from a day before `from`: self-signed (the IACA), or signed by `issuer`. */
async function certificate(options: {
  subject: string;
  ca: boolean;
  from: Date;
  issuer?: { certificate: x509.X509Certificate; keys: webcrypto.CryptoKeyPair };
}) {
  const keys = await webcrypto.subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  const notBefore = new Date(options.from.getTime() - DAY);
  const serialNumber = Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: options.subject,
    issuer: options.issuer?.certificate.subject ?? options.subject,
    notBefore,
    notAfter: new Date(notBefore.getTime() + 366 * DAY),
    signingAlgorithm: ECDSA,
    publicKey: keys.publicKey,
    signingKey: (options.issuer?.keys ?? keys).privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(options.ca, options.ca ? 0 : undefined, true),
      // The flags are bits: an IACA signs certificates and revocation lists (ISO 18013-5 B.1.2).
      new x509.KeyUsagesExtension(
        // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
        options.ca ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign : x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    ],
  });
  return { certificate, keys };
}
