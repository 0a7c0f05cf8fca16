import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configOf } from '../../src/interaction/steps/configured-step.js';
import { presentCredentialDoctor } from '../../src/interaction/steps/present-credential/doctor.js';
import { presentCredentialStepType } from '../../src/interaction/steps/present-credential/index.js';
import {
  presentCredentialSchema,
  type PresentCredentialConfig,
} from '../../src/interaction/steps/present-credential/schema.js';
import { HOOK_URL } from '../support/hook-fixture.js';
import { presentParties, type PresentParties } from '../support/present-journey.js';
import { makeLeaf, makeRoot } from '../support/wallet/test-pki.js';

let parties: PresentParties;
beforeAll(async () => {
  parties = await presentParties();
});

const entry = (overrides: Record<string, unknown> = {}) => ({
  type: 'present-credential',
  query: {
    credentials: [
      {
        id: 'licence',
        format: 'dc+sd-jwt',
        meta: { vct_values: ['https://credentials.example/driving-licence'] },
        claims: [{ path: ['family_name'] }],
      },
    ],
  },
  trust: { issuers: [{ iss: 'https://dmv.example', jwks: 'dmv.jwks.json' }] },
  clientId: 'x509_san_dns:hook.example.com',
  requestKey: 'request.key.pem',
  requestCertificate: 'request.cert.pem',
  ...overrides,
});

function load(overrides: Record<string, unknown> = {}, hookUrl = HOOK_URL) {
  return presentCredentialStepType.load(presentCredentialSchema.parse(entry(overrides)), {
    dir: parties.dir,
    where: 'steps.0',
    id: 'licence',
    env: { HOOK_URL: hookUrl },
  });
}

function problems(overrides: Record<string, unknown> = {}, hookUrl?: string): string {
  const loaded = load(overrides, hookUrl);
  expect(loaded.ok).toBe(false);
  return loaded.ok ? '' : loaded.problems.join('\n');
}

describe('a present-credential entry in the steps file', () => {
  it('loads with its files read beside the steps file and its request key matched to its certificate', () => {
    const loaded = load();
    expect(loaded.ok).toBe(true);
    if (loaded.ok)
      expect(loaded.config.identity).toMatchObject({
        prefix: 'x509_san_dns',
        clientId: 'x509_san_dns:hook.example.com',
        alg: 'ES256',
      });
  });

  it('refuses unknown keys, a query DCQL features this step does not handle, and a trust that trusts no one', () => {
    expect(presentCredentialSchema.safeParse(entry({ walletURL: 'x' })).success).toBe(false);
    expect(presentCredentialSchema.safeParse(entry({ query: { credentials: [], credential_sets: [] } })).success).toBe(
      false,
    );
    expect(presentCredentialSchema.safeParse(entry({ trust: {} })).success).toBe(false);
  });

  it('refuses collect or matchClaim naming a claim the query does not ask for', () => {
    expect(problems({ collect: { birthdate: 'birthdate' } })).toContain(
      'collect names "birthdate", which the query does not ask for',
    );
    expect(problems({ matchClaim: { session: 'family_name', credential: ['given_name'] } })).toContain(
      'matchClaim.credential ["given_name"]',
    );
  });

  it('refuses unsigned requests (redirect_uri:) unless HOOK_URL is on this machine', () => {
    expect(problems({ clientId: 'redirect_uri:' })).toContain('only a hook on this machine');
    const local = load({ clientId: 'redirect_uri:' }, 'http://127.0.0.1:3000/callback');
    expect(local.ok && local.config.identity.prefix).toBe('redirect_uri');
  });

  it('refuses a request certificate that does not name the client id’s host, or a key that is not its key', async () => {
    expect(problems({ clientId: 'x509_san_dns:other.example' })).toContain('does not name other.example');
    const root = await makeRoot('Other');
    const other = await makeLeaf(root, 'Other', { dns: 'hook.example.com' });
    writeFileSync(path.join(parties.dir, 'other.cert.pem'), other.pem);
    expect(problems({ requestCertificate: 'other.cert.pem' })).toContain('is not the key of "other.cert.pem"');
    expect(problems({ requestKey: 'missing.pem' })).toContain('the request key "missing.pem" cannot be read');
  });

  it('refuses an issuer JWKS with private keys in it', () => {
    writeFileSync(
      path.join(parties.dir, 'private.jwks.json'),
      JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] }),
    );
    expect(problems({ trust: { issuers: [{ iss: 'https://dmv.example', jwks: 'private.jwks.json' }] } })).toContain(
      'is not a JWKS of public keys',
    );
  });
});

describe('a present-credential entry asking for an ISO mdoc (mso_mdoc)', () => {
  const mdl = (
    claims: unknown[] = [{ path: ['org.iso.18013.5.1', 'family_name'] }, { path: ['org.iso.18013.5.1', 'birth_date'] }],
  ) => ({
    credentials: [{ id: 'mdl', format: 'mso_mdoc', meta: { doctype_value: 'org.iso.18013.5.1.mDL' }, claims }],
  });
  beforeAll(async () => {
    writeFileSync(path.join(parties.dir, 'iaca.pem'), (await makeRoot('IACA')).pem);
  });

  it('loads with IACA roots, collect naming an element identifier and matchClaim its [namespace, element] path', () => {
    const loaded = load({
      query: mdl(),
      trust: { x509Roots: ['iaca.pem'] },
      collect: { birth_date: 'birthdate' },
      matchClaim: { session: 'family_name', credential: ['org.iso.18013.5.1', 'family_name'] },
    });
    expect(loaded.ok).toBe(true);
    if (loaded.ok)
      expect(loaded.config.query.credentials[0]).toMatchObject({
        format: 'mso_mdoc',
        meta: { doctype_value: 'org.iso.18013.5.1.mDL' },
      });
  });

  it('refuses an mdoc query without IACA roots to trust', () => {
    expect(problems({ query: mdl() })).toContain('an mso_mdoc query needs trust.x509Roots');
  });

  it('refuses collect naming an element not asked for, or asked for in two namespaces', () => {
    expect(problems({ query: mdl(), trust: { x509Roots: ['iaca.pem'] }, collect: { portrait: 'portrait' } })).toContain(
      'collect names "portrait", which the query does not ask for (an mso_mdoc claim',
    );
    const twice = mdl([{ path: ['org.iso.18013.5.1', 'family_name'] }, { path: ['org.example.local', 'family_name'] }]);
    expect(
      problems({ query: twice, trust: { x509Roots: ['iaca.pem'] }, collect: { family_name: 'family_name' } }),
    ).toContain('collect names "family_name"');
  });

  it('refuses an mdoc claim path that is not [namespace, element], and a doctype list where one doctype is meant', () => {
    expect(presentCredentialSchema.safeParse(entry({ query: mdl([{ path: ['family_name'] }]) })).success).toBe(false);
    expect(
      presentCredentialSchema.safeParse(
        entry({ query: { credentials: [{ ...mdl().credentials[0], meta: { doctype_value: ['a', 'b'] } }] } }),
      ).success,
    ).toBe(false);
    expect(
      presentCredentialSchema.safeParse(
        entry({ query: { credentials: [{ ...mdl().credentials[0], format: 'jwt_vc_json' }] } }),
      ).success,
    ).toBe(false);
  });
});

describe('doctor for a present-credential step', () => {
  const config = (): PresentCredentialConfig => {
    const found = configOf(parties.config.steps[0], presentCredentialStepType);
    if (!found) throw new Error('no present-credential step');
    return found;
  };

  it('checks the request certificate against HOOK_URL’s host', () => {
    expect(presentCredentialDoctor(config(), HOOK_URL)[0]).toMatchObject({ status: 'ok' });
    expect(presentCredentialDoctor(config(), 'https://elsewhere.example/callback')[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('elsewhere.example'),
    });
  });

  it('fails a root that has expired and warns of one that expires soon', async () => {
    const expired = await makeRoot('Old root', { from: new Date(Date.now() - 40 * 86_400_000), days: 30 });
    const soon = await makeRoot('Soon root', { days: 10 });
    writeFileSync(path.join(parties.dir, 'roots.pem'), expired.pem + soon.pem);
    const loaded = load({ trust: { x509Roots: ['roots.pem'] } });
    if (!loaded.ok) throw new Error(loaded.problems.join());
    const roots = presentCredentialDoctor(loaded.config, HOOK_URL).filter((c) => c.name.startsWith('trusted root'));
    expect(roots.map((c) => c.status)).toEqual(['fail', 'warn']);
  });
});
