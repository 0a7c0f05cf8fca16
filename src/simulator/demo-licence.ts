import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** The demo licence's issuer, as the steps file the demo writes trusts it. */
const DEMO_LICENCE_ISSUER = 'https://dmv.example';

/** A credential as the wallet holds it: the SD-JWT with every disclosure, and the key it is bound to. */
export interface HeldCredential {
  /** `<issuer JWT>~<disclosure>~…~`, as issued. */
  sdJwt: string;
  holderKey: CryptoKey;
  /** What the wallet shows it as. */
  title: string;
}

/** The licence's claims, each selectively disclosable: the person the tenant simulator signs in. */
const licenceClaims = (person: { given_name: string; family_name: string }) => ({
  ...person,
  birthdate: '1994-07-12',
  document_number: 'DL-204851',
  driving_privileges: 'Class 1 (car)',
  issuing_authority: 'Demo Licensing Authority',
  issuing_country: 'NZ',
  expiry_date: '2031-07-12',
});

const b64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');
const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

/**
 * The demo's licence issuer and what it issued, made at every start: a fresh issuer key (only its
 * public JWKS is written, so no private key of an issuer the demo trusts is at rest or shipped),
 * a licence for `person` bound to a fresh holder key the wallet keeps in memory, and the steps file
 * "terms + present a licence": the shipped example with the wallet's URL and this issuer's JWKS.
 */
export async function issueDemoLicence(options: {
  example: string;
  dir: string;
  walletUrl: string;
  person: { given_name: string; family_name: string };
}): Promise<{ stepsFile: string; credential: HeldCredential }> {
  const issuer = await generateKeyPair('ES256');
  const holder = await generateKeyPair('ES256');
  const kid = 'demo-licence-issuer';
  const publicJwk: JWK = { ...(await exportJWK(issuer.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const example = JSON.parse(readFileSync(options.example, 'utf8')) as DemoStepsFile;
  const [vct] = example.steps.find((step) => step.type === 'present-credential')?.query?.credentials[0]?.meta.vct_values ?? [];
  if (vct === undefined) throw new Error(`${options.example} has no present-credential step with a vct`);

  const disclosures = Object.entries(licenceClaims(options.person)).map(([name, value]) => b64url(JSON.stringify([b64url(randomBytes(16)), name, value])));
  const now = Math.floor(Date.now() / 1000);
  const jwt = await new SignJWT({
    iss: DEMO_LICENCE_ISSUER,
    iat: now,
    exp: now + 365 * 86_400,
    vct,
    cnf: { jwk: await exportJWK(holder.publicKey) },
    _sd: disclosures.map(sha256).sort(),
    _sd_alg: 'sha-256',
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'dc+sd-jwt', kid })
    .sign(issuer.privateKey);

  mkdirSync(options.dir, { recursive: true });
  const jwksFile = 'demo-issuer.jwks.json';
  writeFileSync(path.join(options.dir, jwksFile), `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
  const stepsFile = path.join(options.dir, 'terms-present-credential.config.json');
  writeFileSync(stepsFile, `${JSON.stringify(demoSteps(example, path.dirname(options.example), { walletUrl: options.walletUrl, jwksFile }), null, 2)}\n`);
  return { stepsFile, credential: { sdJwt: `${[jwt, ...disclosures].join('~')}~`, holderKey: holder.privateKey, title: 'Driving licence' } };
}

interface DemoStepsFile {
  issuer: { logo?: string };
  steps: Array<{
    type: string;
    documents?: Record<string, string>;
    query?: { credentials: Array<{ meta: { vct_values: string[] } }> };
    requestKey?: string;
    requestCertificate?: string;
    [key: string]: unknown;
  }>;
}

/**
 * The example moved to the demo's folder: its relative paths made absolute, the present step
 * trusting the demo issuer's JWKS (beside the file) and pointing at the demo wallet.
 */
function demoSteps(example: DemoStepsFile, from: string, demo: { walletUrl: string; jwksFile: string }): DemoStepsFile {
  const absolute = (file: string) => path.resolve(from, file);
  return {
    ...example,
    issuer: { ...example.issuer, ...(example.issuer.logo === undefined ? {} : { logo: absolute(example.issuer.logo) }) },
    steps: example.steps.map((step) => {
      if (step.type === 'terms' && step.documents) return { ...step, documents: Object.fromEntries(Object.entries(step.documents).map(([lang, file]) => [lang, absolute(file)])) };
      if (step.type !== 'present-credential') return step;
      return {
        ...step,
        trust: { issuers: [{ iss: DEMO_LICENCE_ISSUER, jwks: demo.jwksFile }] },
        ...(step.requestKey === undefined ? {} : { requestKey: absolute(step.requestKey) }),
        ...(step.requestCertificate === undefined ? {} : { requestCertificate: absolute(step.requestCertificate) }),
        walletUrl: demo.walletUrl,
      };
    }),
  };
}
