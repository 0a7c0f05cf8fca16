import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DcqlQuery } from 'dcql';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHookConfig } from '../../src/config/hook-config.js';
import type { PresentCredentialConfig } from '../../src/interaction/steps/present-credential/schema.js';
import { verifyVpToken } from '../../src/interaction/steps/present-credential/vp-token.js';
import { DEMO_LICENCE_EXAMPLE, DEMO_MDL_EXAMPLE } from '../../src/simulator/demo-environment.js';
import { issueDemoLicence, type HeldSdJwt } from '../../src/simulator/demo-licence.js';
import { issueDemoMdl, type HeldMdoc } from '../../src/simulator/demo-mdl.js';
import { heldClaims, matchCredential, presentation } from '../../src/simulator/wallet-presentation.js';

/**
 * The demo wallet's holder side against the hook's own verifier: the licence the demo issues, the
 * steps file it writes trusting that issuer, and presentations of just what a query asks.
 */
const HOOK_URL = 'http://localhost:3000/callback';
const CLIENT_ID = 'x509_san_dns:localhost';
const VCT = 'https://credentials.example/driving-licence';
const RESPONSE_URI = 'http://localhost:3000/interaction/present/tx/response';
let dir: string;
let stepsFile: string;
let credential: HeldSdJwt;
let present: PresentCredentialConfig;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'demo-licence-'));
  ({ stepsFile, credential } = await issueDemoLicence({
    example: DEMO_LICENCE_EXAMPLE,
    dir,
    walletUrl: 'http://localhost:3001/wallet',
    person: { given_name: 'Aroha', family_name: 'Example' },
  }));
  const loaded = loadHookConfig(stepsFile, { env: { HOOK_URL } });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  present = loaded.config.steps.find((step) => step.type === 'present-credential')!.config as PresentCredentialConfig;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const query = (claims: Array<{ path: [string]; values?: string[] }>, vct = VCT) =>
  DcqlQuery.parse({ credentials: [{ id: 'licence', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims }] });
const now = () => new Date();

describe('the demo licence and its steps file', () => {
  it('makes a DATA_DIR that does not exist yet private, so the hook started after it accepts it', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'demo-fresh-'));
    try {
      await issueDemoLicence({
        example: DEMO_LICENCE_EXAMPLE,
        dir: path.join(fresh, 'data', 'demo-wallet'),
        walletUrl: 'http://localhost:3001/wallet',
        person: { given_name: 'Aroha', family_name: 'Example' },
      });
      expect(statSync(path.join(fresh, 'data')).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('writes the example with the wallet URL and the demo issuer’s public JWKS, no private key', () => {
    const steps = JSON.parse(readFileSync(stepsFile, 'utf8')) as { steps: Array<Record<string, unknown>> };
    const entry = steps.steps.find((step) => step.type === 'present-credential')!;
    expect(entry).toMatchObject({
      walletUrl: 'http://localhost:3001/wallet',
      trust: { issuers: [{ iss: 'https://dmv.example', jwks: 'demo-issuer.jwks.json' }] },
      clientId: CLIENT_ID,
    });
    expect(path.isAbsolute(String(entry.requestKey))).toBe(true);
    const jwks = readFileSync(path.join(dir, 'demo-issuer.jwks.json'), 'utf8');
    expect(JSON.parse(jwks)).toMatchObject({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'demo-licence-issuer' }] });
    expect(jwks).not.toContain('"d"');
    expect(heldClaims(credential)).toMatchObject({ issuer: 'https://dmv.example', type: VCT });
    expect(heldClaims(credential).disclosable.map((c) => c.path)).toContain('document_number');
  });
});

describe('a presentation from the demo wallet', () => {
  it('discloses only the claims the query asks for, and the hook’s verifier accepts it for this nonce and client id', async () => {
    const match = matchCredential(present.dcql, [credential])!;
    expect(match.shown).toEqual([
      { path: 'family_name', value: 'Example' },
      { path: 'birthdate', value: '1994-07-12' },
    ]);
    expect(match.format === 'dc+sd-jwt' && match.disclosures).toHaveLength(2);
    const vpToken = await presentation(
      match,
      { nonce: 'nonce-of-this-try', clientId: CLIENT_ID, responseUri: RESPONSE_URI },
      now(),
    );
    const verified = await verifyVpToken(
      vpToken,
      { trust: present.trust, query: present.query, dcql: present.dcql, statusLists: { timeoutMs: 100, fetch } },
      { nonce: 'nonce-of-this-try', audience: CLIENT_ID, responseUri: RESPONSE_URI, now: now() },
    );
    expect(verified.disclosed).toEqual(['birthdate', 'family_name']);
    expect(verified.claims).not.toHaveProperty('document_number');
    const keyBinding = decodeJwt(String((JSON.parse(vpToken) as { licence: string[] }).licence[0]?.split('~').at(-1)));
    expect(keyBinding).toMatchObject({ aud: CLIENT_ID, nonce: 'nonce-of-this-try', sd_hash: expect.any(String) });
  });

  it('is bound to its request: the verifier refuses it for another nonce', async () => {
    const match = matchCredential(present.dcql, [credential])!;
    const vpToken = await presentation(
      match,
      { nonce: 'another-nonce', clientId: CLIENT_ID, responseUri: RESPONSE_URI },
      now(),
    );
    await expect(
      verifyVpToken(
        vpToken,
        { trust: present.trust, query: present.query, dcql: present.dcql, statusLists: { timeoutMs: 100, fetch } },
        { nonce: 'nonce-of-this-try', audience: CLIENT_ID, responseUri: RESPONSE_URI, now: now() },
      ),
    ).rejects.toMatchObject({ reason: 'nonce_mismatch' });
  });

  it('finds no match for another type, a claim the licence lacks, or a value it does not have', () => {
    expect(
      matchCredential(query([{ path: ['family_name'] }], 'https://credentials.example/student-card'), [credential]),
    ).toBeUndefined();
    expect(matchCredential(query([{ path: ['nationality'] }]), [credential])).toBeUndefined();
    expect(matchCredential(query([{ path: ['issuing_country'], values: ['FR'] }]), [credential])).toBeUndefined();
    expect(matchCredential(query([{ path: ['issuing_country'], values: ['NZ'] }]), [credential])?.shown).toEqual([
      { path: 'issuing_country', value: 'NZ' },
    ]);
  });
});

describe('the demo mDL, its steps file and a presentation of it', () => {
  let mdlDir: string;
  let mdlSteps: string;
  let mdl: HeldMdoc;
  let mdlPresent: PresentCredentialConfig;
  beforeAll(async () => {
    mdlDir = mkdtempSync(path.join(tmpdir(), 'demo-mdl-'));
    ({ stepsFile: mdlSteps, credential: mdl } = await issueDemoMdl({
      example: DEMO_MDL_EXAMPLE,
      dir: mdlDir,
      walletUrl: 'http://localhost:3001/wallet',
      person: { given_name: 'Aroha', family_name: 'Example' },
    }));
    const loaded = loadHookConfig(mdlSteps, { env: { HOOK_URL } });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    mdlPresent = loaded.config.steps.find((step) => step.type === 'present-credential')!
      .config as PresentCredentialConfig;
  });
  afterAll(() => {
    rmSync(mdlDir, { recursive: true, force: true });
  });
  const verifyMdl = (vpToken: string, responseUri = RESPONSE_URI) =>
    verifyVpToken(
      vpToken,
      {
        trust: mdlPresent.trust,
        query: mdlPresent.query,
        dcql: mdlPresent.dcql,
        statusLists: { timeoutMs: 100, fetch },
      },
      { nonce: 'nonce-of-this-try', audience: CLIENT_ID, responseUri, now: now() },
    );

  it('writes the example with the wallet URL and only the certificate of an IACA root made at this start', () => {
    const steps = JSON.parse(readFileSync(mdlSteps, 'utf8')) as { steps: Array<Record<string, unknown>> };
    expect(steps.steps.find((step) => step.type === 'present-credential')).toMatchObject({
      walletUrl: 'http://localhost:3001/wallet',
      trust: { x509Roots: ['demo-iaca.cert.pem'] },
      clientId: CLIENT_ID,
    });
    const root = readFileSync(path.join(mdlDir, 'demo-iaca.cert.pem'), 'utf8');
    expect(new X509Certificate(root).subject).toBe('C=NZ\nCN=Demo IACA');
    expect(root).not.toContain('PRIVATE KEY');
    expect(readdirSync(mdlDir).sort()).toEqual(['demo-iaca.cert.pem', 'terms-present-mdl.config.json']);
    expect(heldClaims(mdl)).toMatchObject({ issuer: 'C=NZ, CN=Demo Licence Signer', type: 'org.iso.18013.5.1.mDL' });
    expect(heldClaims(mdl).disclosable).toEqual(
      expect.arrayContaining([
        { path: 'birth_date', value: '1994-07-12' },
        { path: 'document_number', value: 'DL-204851' },
      ]),
    );
  });

  it('shows and sends only the elements the query asks for, and the hook’s verifier accepts them for this request', async () => {
    const match = matchCredential(mdlPresent.dcql, [credential, mdl])!;
    expect(match).toMatchObject({ format: 'mso_mdoc', queryId: 'mdl' });
    expect(match.shown).toEqual([
      { path: 'family_name', value: 'Example' },
      { path: 'birth_date', value: '1994-07-12' },
    ]);
    const verified = await verifyMdl(
      await presentation(match, { nonce: 'nonce-of-this-try', clientId: CLIENT_ID, responseUri: RESPONSE_URI }, now()),
    );
    expect(verified).toMatchObject({ format: 'mso_mdoc', issuer: 'C=NZ, CN=Demo Licence Signer' });
    expect(verified.disclosed).toEqual(['org.iso.18013.5.1.birth_date', 'org.iso.18013.5.1.family_name']);
    expect(JSON.stringify(verified.claims)).not.toContain('DL-204851');
  });

  it('signs over the session transcript of its request: the verifier refuses it for another response URI or nonce', async () => {
    const match = matchCredential(mdlPresent.dcql, [mdl])!;
    const token = await presentation(
      match,
      { nonce: 'nonce-of-this-try', clientId: CLIENT_ID, responseUri: RESPONSE_URI },
      now(),
    );
    await expect(verifyMdl(token, 'http://localhost:3000/interaction/present/other/response')).rejects.toMatchObject({
      reason: 'device_signature_invalid',
    });
    const otherNonce = await presentation(
      match,
      { nonce: 'another-nonce', clientId: CLIENT_ID, responseUri: RESPONSE_URI },
      now(),
    );
    await expect(verifyMdl(otherNonce)).rejects.toMatchObject({ reason: 'device_signature_invalid' });
  });

  it('answers no mdoc query for another doctype or an element it lacks, and no SD-JWT query with the mDL', () => {
    const mdocQuery = (doctype: string, element: string) =>
      DcqlQuery.parse({
        credentials: [
          {
            id: 'mdl',
            format: 'mso_mdoc',
            meta: { doctype_value: doctype },
            claims: [{ path: ['org.iso.18013.5.1', element] }],
          },
        ],
      });
    expect(matchCredential(mdocQuery('org.iso.23220.photoid.1', 'family_name'), [mdl])).toBeUndefined();
    expect(matchCredential(mdocQuery('org.iso.18013.5.1.mDL', 'portrait'), [mdl])).toBeUndefined();
    expect(matchCredential(query([{ path: ['family_name'] }]), [mdl])).toBeUndefined();
    expect(matchCredential(mdocQuery('org.iso.18013.5.1.mDL', 'issuing_country'), [credential, mdl])?.shown).toEqual([
      { path: 'issuing_country', value: 'NZ' },
    ]);
  });
});
