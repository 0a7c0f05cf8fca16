import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { decisions } from '../support/oidc-journey.js';
import { mdocParties, PresentJourney, STEP_ID, type MdocParties } from '../support/present-journey.js';
import {
  issueMdoc,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  mdocPresenter,
  mdocSigner,
  type MdocIssueInput,
  type MdocPresentOptions,
} from '../support/wallet/test-mdoc-holder.js';
import { makeLeaf, makeRoot } from '../support/wallet/test-pki.js';
import { startStatusListServer, type StatusListServer } from '../support/wallet/status-list-server.js';
import { makeIssuer } from '../support/wallet/test-issuer.js';

let parties: MdocParties;
let mdl: Uint8Array;
let hook: HookFixture;

beforeAll(async () => {
  parties = await mdocParties();
  mdl = await issueMdoc(parties.documentSigner, parties.device);
});
beforeEach(async () => {
  hook = await hookFixture({}, parties.config);
});
afterEach(async () => {
  await hook.close();
});

const journey = (issued = mdl) => new PresentJourney<MdocPresentOptions>(hook, mdocPresenter(issued, parties.device));
const redirectOf = (res: { body: unknown }): string => (res.body as { redirect_uri: string }).redirect_uri;

describe('the present-credential step asking for an mDL (mso_mdoc)', () => {
  it('goes on once the wallet has presented the mDL, collects birth_date and records names, never values', async () => {
    const user = journey();
    await user.arrive();
    const request = await user.wallet.receive((await user.start()).link);
    expect(request.formats).toEqual(['dc+sd-jwt', 'mso_mdoc']);
    expect(request.claims).toEqual([{ path: [MDL_NAMESPACE, 'family_name'] }, { path: [MDL_NAMESPACE, 'birth_date'] }]);
    const answer = await user.wallet.share(request);
    expect(answer.status).toBe(200);
    expect(await user.outcome(await user.open(redirectOf(answer)))).toMatchObject({
      kind: 'success',
      state: user.state,
      claims: { birthdate: '1990-04-01' },
    });
    const [row, ...more] = await decisions(hook);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      step: STEP_ID,
      decision: 'accepted',
      evidence: {
        asked: [MDL_DOCTYPE],
        format: 'mso_mdoc',
        doctype: MDL_DOCTYPE,
        issuer: 'CN=Test Licence Signer, C=NZ',
        trustedBy: 'x509',
        disclosed: ['birth_date', 'document_number', 'family_name', 'given_name', 'issuing_country'].map(
          (n) => `${MDL_NAMESPACE}.${n}`,
        ),
        deviceSignature: true,
        statusChecked: false,
        matched: 'family_name',
        collected: ['birthdate'],
      },
    });
    expect(JSON.stringify(row)).not.toMatch(/Okafor|1990-04-01|DL-0042/);
  });

  it('fails the journey when the mDL is about someone else (matchClaim)', async () => {
    const user = journey();
    const answer = await user.wallet.share(await user.requestInWallet({ family_name: 'Someone Else' }));
    expect(await user.outcome(await user.open(redirectOf(answer)))).toMatchObject({ kind: 'failure' });
    expect((await decisions(hook))[0]).toMatchObject({
      decision: 'failed',
      evidence: { format: 'mso_mdoc', reason: 'claim_mismatch' },
    });
  });

  const now = Date.now();
  const HOUR = 3_600_000;
  it.each<[string, { issue?: MdocIssueInput; present?: MdocPresentOptions; untrusted?: boolean }, string]>([
    [
      'a device signature over another nonce',
      { present: { transcript: { nonce: 'another' } } },
      'device_signature_invalid',
    ],
    [
      'a device signature for another client_id',
      { present: { transcript: { clientId: 'x509_san_dns:elsewhere.example' } } },
      'device_signature_invalid',
    ],
    [
      'a device signature for another response_uri',
      { present: { transcript: { responseUri: 'http://hook.example.com/interaction/present/other/response' } } },
      'device_signature_invalid',
    ],
    ['a document signer under a root not trusted', { untrusted: true }, 'issuer_untrusted'],
    [
      'an expired MSO',
      {
        issue: {
          signed: new Date(now - 3 * HOUR),
          validFrom: new Date(now - 3 * HOUR),
          validUntil: new Date(now - HOUR),
        },
      },
      'expired',
    ],
    ['a doctype not asked for', { issue: { docType: 'org.iso.23220.photoid.1' } }, 'type_not_requested'],
    [
      'an element changed after issuance',
      { present: { tamper: { element: 'family_name', value: 'Okafor-Smith' } } },
      'disclosure_invalid',
    ],
    ['an element the query needs withheld', { present: { disclose: ['family_name'] } }, 'claims_missing'],
  ])('refuses %s: error JSON to the wallet, the journey failed with the reason, no 5xx', async (_, fault, reason) => {
    const signer = fault.untrusted
      ? await mdocSigner(await makeLeaf(await makeRoot('Unknown IACA'), 'Forger', { country: 'NZ' }))
      : parties.documentSigner;
    const user = journey(await issueMdoc(signer, parties.device, fault.issue));
    const request = await user.requestInWallet();
    const answer = await user.wallet.share(request, fault.present);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'invalid_request' });
    const ready = await user.poll();
    expect(ready).toMatchObject({ state: 'answered' });
    expect(await user.outcome(await user.open(String(ready.location)))).toMatchObject({ kind: 'failure' });
    expect((await decisions(hook))[0]).toMatchObject({ decision: 'failed', evidence: { format: 'mso_mdoc', reason } });
  });

  it.each([
    ['not base64url', '{"mdl": ["***"]}'],
    ['base64url of garbage', JSON.stringify({ mdl: [Buffer.from('not cbor at all').toString('base64url')] })],
    ['CBOR that is not a DeviceResponse', JSON.stringify({ mdl: ['oWF4YXk'] })],
  ])('a vp_token whose mdoc is %s gets error JSON, not a 5xx', async (_, vpToken) => {
    const user = journey();
    const res = await user.wallet.answer(await user.requestInWallet(), vpToken);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
    expect(await user.outcome(await user.open(String((await user.poll()).location)))).toMatchObject({
      kind: 'failure',
    });
    expect((await decisions(hook))[0]).toMatchObject({ evidence: { reason: 'malformed' } });
  });
});

describe('the present-credential step asking for an mDL whose MSO has a status list entry', () => {
  let lists: StatusListServer;
  beforeAll(async () => {
    lists = await startStatusListServer();
    const listSigner = await makeIssuer({
      iss: 'https://dmv.example',
      chain: [await makeLeaf(parties.iaca, 'Test Status List Signer')],
    });
    lists.put('/mdl', await listSigner.statusList(lists.url('/mdl'), [0, 1, 2]));
    const forger = await makeIssuer({
      iss: 'https://forger.example',
      chain: [await makeLeaf(await makeRoot('Unknown IACA'), 'Forger')],
    });
    lists.put('/forged', await forger.statusList(lists.url('/forged'), [0]));
  });
  afterAll(() => lists.close());

  const withStatus = async (idx: number, path = '/mdl') =>
    journey(await issueMdoc(parties.documentSigner, parties.device, { status: { uri: lists.url(path), idx } }));

  it('goes on while the mDL is valid in its list, and the ledger says its status was checked', async () => {
    const user = await withStatus(0);
    const answer = await user.wallet.share(await user.requestInWallet());
    expect(answer.status).toBe(200);
    expect(await user.outcome(await user.open(redirectOf(answer)))).toMatchObject({ kind: 'success' });
    expect((await decisions(hook))[0]).toMatchObject({
      decision: 'accepted',
      evidence: { format: 'mso_mdoc', statusChecked: true },
    });
  });

  it.each([
    ['revoked', 1, '/mdl', 'revoked'],
    ['suspended', 2, '/mdl', 'suspended'],
    ['listed by a signer under no trusted root', 0, '/forged', 'status_list_invalid'],
  ])(
    'refuses an mDL %s: error JSON to the wallet, the journey failed with the reason',
    async (_, idx, path, reason) => {
      const user = await withStatus(idx, path);
      const answer = await user.wallet.share(await user.requestInWallet());
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: 'invalid_request' });
      expect(await user.outcome(await user.open(String((await user.poll()).location)))).toMatchObject({
        kind: 'failure',
      });
      expect((await decisions(hook))[0]).toMatchObject({
        decision: 'failed',
        evidence: { format: 'mso_mdoc', reason },
      });
    },
  );

  it('fails closed when the list cannot be fetched: error JSON to the wallet, the 503 page, nothing decided', async () => {
    const user = await withStatus(0, '/missing');
    const answer = await user.wallet.share(await user.requestInWallet());
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
    await user.open(String((await user.poll()).location), { away: true });
    expect(await decisions(hook)).toEqual([]);
  });
});
