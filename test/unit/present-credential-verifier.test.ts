import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialQuerySchema, parseDcql } from '../../src/interaction/steps/present-credential/credential-query.js';
import type { IssuerTrust } from '../../src/interaction/steps/present-credential/issuer-trust.js';
import type { RejectionReason } from '../../src/interaction/steps/present-credential/rejection.js';
import { rejectionOf } from '../support/present-journey.js';
import { verifyVpToken, type VerifierPolicy } from '../../src/interaction/steps/present-credential/vp-token.js';
import { StepUnavailableError } from '../../src/interaction/steps/step.js';
import { makeHolder, present, type PresentOptions, type TestHolder } from '../support/wallet/test-holder.js';
import { disclosure, makeIssuer, type IssueInput, type TestIssuer } from '../support/wallet/test-issuer.js';
import { makeLeaf, makeRoot, type TestCertificate } from '../support/wallet/test-pki.js';
import { startStatusListServer, type StatusListServer } from '../support/wallet/status-list-server.js';

const VCT = 'https://credentials.example/driving-licence';
const CLIENT_ID = 'x509_san_dns:hook.example';
const NONCE = 'nonce-of-this-try';
const query = credentialQuerySchema.parse({
  credentials: [
    {
      id: 'licence',
      format: 'dc+sd-jwt',
      meta: { vct_values: [VCT] },
      claims: [{ path: ['family_name'] }, { path: ['birthdate'] }],
    },
  ],
});
const dcql = (() => {
  const parsed = parseDcql(query);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.dcql;
})();

let listed: TestIssuer;
let stranger: TestIssuer;
let root: TestCertificate;
let chained: TestIssuer;
let holder: TestHolder;
let lists: StatusListServer;
let policy: VerifierPolicy;

beforeAll(async () => {
  listed = await makeIssuer({ iss: 'https://dmv.example' });
  stranger = await makeIssuer({ iss: 'https://forger.example' });
  root = await makeRoot('Test Licence Root');
  const intermediate = await makeLeaf(root, 'Test Licence CA', { ca: true });
  chained = await makeIssuer({
    iss: 'https://licences.example',
    chain: [await makeLeaf(intermediate, 'Licence Issuer', { dns: 'licences.example' }), intermediate],
  });
  holder = await makeHolder();
  lists = await startStatusListServer();
  const trust: IssuerTrust = { roots: [new X509Certificate(root.pem)], issuers: new Map([[listed.iss, listed.jwks]]) };
  policy = { trust, query, dcql, statusLists: { timeoutMs: 2000, fetch } };
});
afterAll(() => lists.close());

const licence = (overrides: Partial<IssueInput> = {}): IssueInput => ({
  vct: VCT,
  disclosable: { family_name: 'Okafor', given_name: 'Ada', birthdate: '1990-04-01' },
  holder: holder.publicJwk,
  exp: Math.floor(Date.now() / 1000) + 3600,
  ...overrides,
});

async function presentation(
  issuer: TestIssuer,
  issue: Partial<IssueInput> = {},
  options: Partial<PresentOptions> = {},
): Promise<string> {
  const credential = await issuer.issue(licence(issue));
  return present(credential, { holder, nonce: NONCE, aud: CLIENT_ID, ...options });
}

const verify = (token: unknown, now = new Date()) =>
  verifyVpToken(token, policy, {
    nonce: NONCE,
    audience: CLIENT_ID,
    responseUri: 'https://hook.example/interaction/present/x/response',
    now,
  });

const refusal = (token: unknown): Promise<RejectionReason> => rejectionOf(verify(token));

describe('an SD-JWT VC presentation', () => {
  it('from a listed issuer, bound to this try, gives its type, issuer, claims and the names disclosed', async () => {
    const credential = await verify({ licence: [await presentation(listed)] });
    expect(credential).toMatchObject({
      format: 'dc+sd-jwt',
      type: VCT,
      issuer: 'https://dmv.example',
      trustedBy: 'jwks',
      statusChecked: false,
    });
    expect(credential.claims).toMatchObject({ family_name: 'Okafor', birthdate: '1990-04-01', vct: VCT });
    expect(credential.disclosed).toEqual(['birthdate', 'family_name', 'given_name']);
  });

  it('from an issuer whose x5c chain ends at a configured root is accepted, and names that issuer', async () => {
    const credential = await verify({ licence: [await presentation(chained)] });
    expect(credential).toMatchObject({ issuer: 'https://licences.example', trustedBy: 'x509' });
  });

  it('accepts the vp_token as the JSON string a form post carries', async () => {
    await expect(verify(JSON.stringify({ licence: [await presentation(listed)] }))).resolves.toMatchObject({
      type: VCT,
    });
  });

  it.each([
    ['a nonce of another try', { nonce: 'another' }, 'nonce_mismatch'],
    ['an empty nonce', { nonce: '' }, 'nonce_mismatch'],
    ['an audience that is not this hook', { aud: 'x509_san_dns:other.example' }, 'audience_mismatch'],
    ['no key-binding JWT', { withoutKeyBinding: true }, 'key_binding_missing'],
    ['a key-binding JWT of another type', { typ: 'JWT' }, 'key_binding_invalid'],
    ['a wrong sd_hash', { sdHash: 'AAAA' }, 'sd_hash_mismatch'],
    ['a key binding made ten minutes ago', { iat: Math.floor(Date.now() / 1000) - 600 }, 'key_binding_stale'],
    ['a key binding dated in the future', { iat: Math.floor(Date.now() / 1000) + 600 }, 'key_binding_stale'],
  ] as const)('with %s is refused', async (_, options, reason) => {
    expect(await refusal({ licence: [await presentation(listed, {}, options)] })).toBe(reason);
  });

  it('with a key binding signed by another key than the credential’s cnf is refused', async () => {
    const other = await makeHolder();
    expect(await refusal({ licence: [await presentation(listed, {}, { signWith: other.privateKey })] })).toBe(
      'key_binding_invalid',
    );
  });

  it('whose credential has no cnf key cannot be bound and is refused', async () => {
    const credential = await listed.issue({ ...licence(), holder: undefined as never });
    expect(await refusal({ licence: [await present(credential, { holder, nonce: NONCE, aud: CLIENT_ID })] })).toBe(
      'key_binding_missing',
    );
  });

  it('with a disclosure changed, added or repeated is refused; one dropped fails the query', async () => {
    const credential = await listed.issue(licence());
    const changed = disclosure('family_name', 'Someone Else');
    expect(
      await refusal({
        licence: [
          await present(credential, {
            holder,
            nonce: NONCE,
            aud: CLIENT_ID,
            disclose: ['birthdate'],
            extraDisclosures: [changed],
          }),
        ],
      }),
    ).toBe('disclosure_invalid');
    expect(
      await refusal({
        licence: [
          await present(credential, {
            holder,
            nonce: NONCE,
            aud: CLIENT_ID,
            extraDisclosures: [disclosure('nationality', 'XX')],
          }),
        ],
      }),
    ).toBe('disclosure_invalid');
    expect(
      await refusal({
        licence: [
          await present(credential, {
            holder,
            nonce: NONCE,
            aud: CLIENT_ID,
            disclose: ['family_name', 'birthdate', 'family_name'],
          }),
        ],
      }),
    ).toBe('disclosure_invalid');
    expect(
      await refusal({
        licence: [await present(credential, { holder, nonce: NONCE, aud: CLIENT_ID, disclose: ['family_name'] })],
      }),
    ).toBe('claims_missing');
  });

  it('from an issuer not listed, or listed but signed with another key, is refused', async () => {
    expect(await refusal({ licence: [await presentation(stranger)] })).toBe('issuer_untrusted');
    const impostor = await makeIssuer({ iss: listed.iss });
    expect(await refusal({ licence: [await presentation(impostor)] })).toBe('signature_invalid');
  });

  it('with an x5c chain to no configured root, an expired certificate, or a certificate for another host is refused', async () => {
    const otherRoot = await makeRoot('Unknown Root');
    const orphan = await makeIssuer({
      iss: 'https://licences.example',
      chain: [await makeLeaf(otherRoot, 'Orphan', { dns: 'licences.example' })],
    });
    expect(await refusal({ licence: [await presentation(orphan)] })).toBe('issuer_untrusted');
    const expiredLeaf = await makeLeaf(root, 'Expired', {
      dns: 'licences.example',
      from: new Date(Date.now() - 40 * 86_400_000),
      days: 30,
    });
    expect(
      await refusal({
        licence: [await presentation(await makeIssuer({ iss: 'https://licences.example', chain: [expiredLeaf] }))],
      }),
    ).toBe('issuer_untrusted');
    const elsewhere = await makeIssuer({
      iss: 'https://dmv.example',
      chain: [await makeLeaf(root, 'Elsewhere', { dns: 'licences.example' })],
    });
    expect(await refusal({ licence: [await presentation(elsewhere)] })).toBe('issuer_untrusted');
  });

  it('of a type the query does not ask for is refused', async () => {
    expect(
      await refusal({ licence: [await presentation(listed, { vct: 'https://credentials.example/library-card' })] }),
    ).toBe('type_not_requested');
  });

  it('without a claim the query needs is refused', async () => {
    expect(await refusal({ licence: [await presentation(listed, { disclosable: { family_name: 'Okafor' } })] })).toBe(
      'claims_missing',
    );
  });

  it('of a credential expired or not yet valid is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal({ licence: [await presentation(listed, { exp: now - 3600 })] })).toBe('expired');
    expect(await refusal({ licence: [await presentation(listed, { nbf: now + 3600 })] })).toBe('not_yet_valid');
  });

  it.each([
    ['not JSON', '{licence'],
    ['a list instead of an object', [['x']]],
    ['an answer to another credential query', { passport: ['x~y~'] }],
    ['two presentations', { licence: ['a~b~', 'c~d~'] }],
    ['a presentation that is not an SD-JWT', { licence: ['not-a-jwt'] }],
    ['a presentation that is a bare JWT', { licence: ['eyJhbGciOiJFUzI1NiJ9.e30.c2ln~'] }],
    ['a megabyte of garbage', { licence: [`${'A'.repeat(1_000_000)}~~x`] }],
  ])('that is %s is refused as malformed', async (_, token) => {
    expect(['malformed', 'key_binding_missing']).toContain(await refusal(token));
  });
});

describe('a credential with a status list entry', () => {
  let statusIssuer: TestIssuer;
  beforeAll(async () => {
    statusIssuer = await makeIssuer({ iss: 'https://status.example' });
    (policy.trust.issuers as Map<string, typeof statusIssuer.jwks>).set(statusIssuer.iss, statusIssuer.jwks);
    lists.put('/lists/1', await statusIssuer.statusList(lists.url('/lists/1'), [0, 1, 2, 0]));
  });
  const withStatus = (idx: number, uri = lists.url('/lists/1')) => presentation(statusIssuer, { status: { uri, idx } });

  it('is accepted while its status is valid, and says its status was checked', async () => {
    await expect(verify({ licence: [await withStatus(0)] })).resolves.toMatchObject({ statusChecked: true });
  });

  it('is refused when revoked or suspended', async () => {
    expect(await refusal({ licence: [await withStatus(1)] })).toBe('revoked');
    expect(await refusal({ licence: [await withStatus(2)] })).toBe('suspended');
  });

  it('makes the step unavailable when the list cannot be fetched: nothing is decided', async () => {
    await expect(verify({ licence: [await withStatus(0, lists.url('/lists/missing'))] })).rejects.toBeInstanceOf(
      StepUnavailableError,
    );
    await expect(verify({ licence: [await withStatus(0, 'http://127.0.0.1:9/lists/1')] })).rejects.toBeInstanceOf(
      StepUnavailableError,
    );
  });

  it('is refused when the list is signed by someone the hook does not trust, or is for another URI', async () => {
    lists.put('/lists/forged', await stranger.statusList(lists.url('/lists/forged'), [0]));
    expect(await refusal({ licence: [await withStatus(0, lists.url('/lists/forged'))] })).toBe('status_list_invalid');
    lists.put('/lists/moved', await statusIssuer.statusList(lists.url('/lists/1'), [0]));
    expect(await refusal({ licence: [await withStatus(0, lists.url('/lists/moved'))] })).toBe('status_list_invalid');
  });

  it('whose list is not on https (nor on this machine) is refused before anything is fetched', async () => {
    expect(await refusal({ licence: [await withStatus(0, 'http://lists.example/1')] })).toBe('malformed');
  });
});
