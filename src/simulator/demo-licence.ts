import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { writeDemoSteps, type DemoStepsFile } from './demo-steps-copy.js';

/** The demo licence's issuer, as the steps file the demo writes trusts it. */
const DEMO_LICENCE_ISSUER = 'https://dmv.example';

/** An SD-JWT VC as the wallet holds it: the SD-JWT with every disclosure, and the key it is bound to. */
export interface HeldSdJwt {
  format: 'dc+sd-jwt';
  /** `<issuer JWT>~<disclosure>~…~`, as issued. */
  sdJwt: string;
  holderKey: CryptoKey;
  /** What the wallet shows it as. */
  title: string;
}

/** What the demo's licences (this SD-JWT VC and the mDL) say of the person the tenant simulator signs in. */
export const DEMO_LICENCE_FACTS = {
  birthdate: '1994-07-12',
  document_number: 'DL-204851',
  issuing_authority: 'Demo Licensing Authority',
  issuing_country: 'NZ',
  issue_date: '2021-07-12',
  expiry_date: '2031-07-12',
} as const;

/** The licence's claims, each selectively disclosable. */
const licenceClaims = (person: { given_name: string; family_name: string }) => {
  const { birthdate, document_number, issuing_authority, issuing_country, expiry_date } = DEMO_LICENCE_FACTS;
  return {
    ...person,
    birthdate,
    document_number,
    driving_privileges: 'Class 1 (car)',
    issuing_authority,
    issuing_country,
    expiry_date,
  };
};

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
}): Promise<{ stepsFile: string; credential: HeldSdJwt }> {
  const issuer = await generateKeyPair('ES256');
  const holder = await generateKeyPair('ES256');
  const kid = 'demo-licence-issuer';
  const publicJwk: JWK = { ...(await exportJWK(issuer.publicKey)), kid, alg: 'ES256', use: 'sig' };
  const example = JSON.parse(readFileSync(options.example, 'utf8')) as DemoStepsFile;
  const [vct] =
    (example.steps.find((step) => step.type === 'present-credential')?.query as VctQuery | undefined)?.credentials[0]
      ?.meta.vct_values ?? [];
  if (vct === undefined) throw new Error(`${options.example} has no present-credential step with a vct`);

  const disclosures = Object.entries(licenceClaims(options.person)).map(([name, value]) =>
    b64url(JSON.stringify([b64url(randomBytes(16)), name, value])),
  );
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

  const jwksFile = 'demo-issuer.jwks.json';
  const trust = { issuers: [{ iss: DEMO_LICENCE_ISSUER, jwks: jwksFile }] };
  const stepsFile = writeDemoSteps(example, options.example, {
    dir: options.dir,
    name: 'terms-present-credential.config.json',
    walletUrl: options.walletUrl,
    trust,
  });
  writeFileSync(path.join(options.dir, jwksFile), `${JSON.stringify({ keys: [publicJwk] }, null, 2)}\n`);
  return {
    stepsFile,
    credential: {
      format: 'dc+sd-jwt',
      sdJwt: `${[jwt, ...disclosures].join('~')}~`,
      holderKey: holder.privateKey,
      title: 'Driving licence',
    },
  };
}

type VctQuery = { credentials: Array<{ meta: { vct_values: string[] } }> };
