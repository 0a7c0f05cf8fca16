import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DcqlQuery } from 'dcql';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHookConfig } from '../../src/config/hook-config.js';
import type { PresentCredentialConfig } from '../../src/interaction/steps/present-credential/schema.js';
import { verifyVpToken } from '../../src/interaction/steps/present-credential/vp-token.js';
import { DEMO_LICENCE_EXAMPLE } from '../../src/simulator/demo-environment.js';
import { issueDemoLicence, type HeldCredential } from '../../src/simulator/demo-licence.js';
import { heldClaims, matchCredential, presentation } from '../../src/simulator/wallet-presentation.js';

/**
 * The demo wallet's holder side against the hook's own verifier: the licence the demo issues, the
 * steps file it writes trusting that issuer, and presentations of just what a query asks.
 */
const HOOK_URL = 'http://localhost:3000/callback';
const CLIENT_ID = 'x509_san_dns:localhost';
const VCT = 'https://credentials.example/driving-licence';
let dir: string;
let stepsFile: string;
let credential: HeldCredential;
let present: PresentCredentialConfig;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'demo-licence-'));
  ({ stepsFile, credential } = await issueDemoLicence({ example: DEMO_LICENCE_EXAMPLE, dir, walletUrl: 'http://localhost:3001/wallet', person: { given_name: 'Aroha', family_name: 'Example' } }));
  const loaded = loadHookConfig(stepsFile, { env: { HOOK_URL } });
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  present = loaded.config.steps.find((step) => step.type === 'present-credential')!.config as PresentCredentialConfig;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const query = (claims: Array<{ path: [string]; values?: string[] }>, vct = VCT) => DcqlQuery.parse({ credentials: [{ id: 'licence', format: 'dc+sd-jwt', meta: { vct_values: [vct] }, claims }] });
const now = () => new Date();

describe('the demo licence and its steps file', () => {
  it('writes the example with the wallet URL and the demo issuer’s public JWKS, no private key', () => {
    const steps = JSON.parse(readFileSync(stepsFile, 'utf8')) as { steps: Array<Record<string, unknown>> };
    const entry = steps.steps.find((step) => step.type === 'present-credential')!;
    expect(entry).toMatchObject({ walletUrl: 'http://localhost:3001/wallet', trust: { issuers: [{ iss: 'https://dmv.example', jwks: 'demo-issuer.jwks.json' }] }, clientId: CLIENT_ID });
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
    const match = matchCredential(present.dcql, credential)!;
    expect(match.shown).toEqual([
      { path: 'family_name', value: 'Example' },
      { path: 'birthdate', value: '1994-07-12' },
    ]);
    expect(match.disclosures).toHaveLength(2);
    const vpToken = await presentation(credential, match, { nonce: 'nonce-of-this-try', clientId: CLIENT_ID }, now());
    const verified = await verifyVpToken(
      vpToken,
      { trust: present.trust, query: present.query, dcql: present.dcql, statusLists: { timeoutMs: 100, fetch } },
      { nonce: 'nonce-of-this-try', audience: CLIENT_ID, responseUri: 'http://localhost:3000/interaction/present/tx/response', now: now() },
    );
    expect(verified.disclosed).toEqual(['birthdate', 'family_name']);
    expect(verified.claims).not.toHaveProperty('document_number');
    const keyBinding = decodeJwt(String((JSON.parse(vpToken) as { licence: string[] }).licence[0]?.split('~').at(-1)));
    expect(keyBinding).toMatchObject({ aud: CLIENT_ID, nonce: 'nonce-of-this-try', sd_hash: expect.any(String) });
  });

  it('is bound to its request: the verifier refuses it for another nonce', async () => {
    const match = matchCredential(present.dcql, credential)!;
    const vpToken = await presentation(credential, match, { nonce: 'another-nonce', clientId: CLIENT_ID }, now());
    await expect(
      verifyVpToken(
        vpToken,
        { trust: present.trust, query: present.query, dcql: present.dcql, statusLists: { timeoutMs: 100, fetch } },
        { nonce: 'nonce-of-this-try', audience: CLIENT_ID, responseUri: 'http://localhost:3000/interaction/present/tx/response', now: now() },
      ),
    ).rejects.toMatchObject({ reason: 'nonce_mismatch' });
  });

  it('finds no match for another type, a claim the licence lacks, or a value it does not have', () => {
    expect(matchCredential(query([{ path: ['family_name'] }], 'https://credentials.example/student-card'), credential)).toBeUndefined();
    expect(matchCredential(query([{ path: ['nationality'] }]), credential)).toBeUndefined();
    expect(matchCredential(query([{ path: ['issuing_country'], values: ['FR'] }]), credential)).toBeUndefined();
    expect(matchCredential(query([{ path: ['issuing_country'], values: ['NZ'] }]), credential)?.shown).toEqual([{ path: 'issuing_country', value: 'NZ' }]);
  });
});
