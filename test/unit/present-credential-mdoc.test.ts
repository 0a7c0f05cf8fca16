import { X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { cborEncode, DateOnly } from '@animo-id/mdoc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHookConfig } from '../../src/config/hook-config.js';
import { configOf } from '../../src/interaction/steps/configured-step.js';
import { presentCredentialStepType } from '../../src/interaction/steps/present-credential/index.js';
import { credentialQuerySchema, parseDcql } from '../../src/interaction/steps/present-credential/credential-query.js';
import {
  PresentationRejected,
  type RejectionReason,
} from '../../src/interaction/steps/present-credential/rejection.js';
import { rejectionOf } from '../support/present-journey.js';
import { openId4VpSessionTranscript } from '../../src/interaction/steps/present-credential/session-transcript.js';
import { verifyVpToken, type VerifierPolicy } from '../../src/interaction/steps/present-credential/vp-token.js';
import { StepUnavailableError } from '../../src/interaction/steps/step.js';
import { startStatusListServer, type StatusListServer } from '../support/wallet/status-list-server.js';
import { makeIssuer } from '../support/wallet/test-issuer.js';
import {
  demoMdlElements,
  issueMdoc,
  makeMdocHolder,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  mdocSigner,
  presentMdoc,
  type MdocHolder,
  type MdocIssueInput,
  type MdocPresentOptions,
  type MdocSigner,
} from '../support/wallet/test-mdoc-holder.js';
import { makeLeaf, makeRoot, type TestCertificate } from '../support/wallet/test-pki.js';

const REQUEST = {
  clientId: 'x509_san_dns:hook.example',
  nonce: 'nonce-of-this-try',
  responseUri: 'https://hook.example/interaction/present/tx/response',
};
const HOUR = 3_600_000;
const query = credentialQuerySchema.parse({
  credentials: [
    {
      id: 'mdl',
      format: 'mso_mdoc',
      meta: { doctype_value: MDL_DOCTYPE },
      claims: [{ path: [MDL_NAMESPACE, 'family_name'] }, { path: [MDL_NAMESPACE, 'birth_date'] }],
    },
  ],
});

let iaca: TestCertificate;
let documentSigner: MdocSigner;
let holder: MdocHolder;
let policy: VerifierPolicy;

beforeAll(async () => {
  iaca = await makeRoot('Test IACA');
  documentSigner = await mdocSigner(await makeLeaf(iaca, 'Test Document Signer', { country: 'NZ' }));
  holder = await makeMdocHolder();
  const dcql = parseDcql(query);
  if (!dcql.ok) throw new Error(dcql.problem);
  policy = {
    trust: { roots: [new X509Certificate(iaca.pem)], issuers: new Map() },
    query,
    dcql: dcql.dcql,
    statusLists: { timeoutMs: 1000, fetch },
  };
});

async function presentation(
  issue: MdocIssueInput = {},
  options: MdocPresentOptions = {},
  signer = documentSigner,
): Promise<string> {
  return presentMdoc(await issueMdoc(signer, holder, issue), holder, REQUEST, options);
}

const verify = (token: unknown) =>
  verifyVpToken(token, policy, {
    nonce: REQUEST.nonce,
    audience: REQUEST.clientId,
    responseUri: REQUEST.responseUri,
    now: new Date(),
  });

const refusal = (token: unknown): Promise<RejectionReason> => rejectionOf(verify(token));

describe('the OpenID4VP session transcript', () => {
  it('is the bytes of OpenID4VP 1.0 B.2.6.1’s worked example', () => {
    const transcript = openId4VpSessionTranscript({
      clientId: 'x509_san_dns:example.com',
      nonce: 'exc7gBkxjx1rdc9udRrveKvSsJIq80avlXeLHhGwqtA',
      jwkThumbprint: Buffer.from('4283ec927ae0f208daaa2d026a814f2b22dca52cf85ffa8f3f8626c6bd669047', 'hex'),
      responseUri: 'https://example.com/response',
    });
    expect(Buffer.from(transcript).toString('hex')).toBe(
      '83f6f682714f70656e494434565048616e646f7665725820048bc053c00442af9b8eed494cefdd9d95240d254b046b11b68013722aad38ac',
    );
  });
});

describe('an mdoc presentation (mso_mdoc)', () => {
  it('of an mDL under a trusted IACA root, signed by the device for this request, gives its doctype, issuer, elements and their names', async () => {
    const credential = await verify({ mdl: [await presentation()] });
    expect(credential).toMatchObject({
      format: 'mso_mdoc',
      type: MDL_DOCTYPE,
      issuer: 'CN=Test Document Signer, C=NZ',
      trustedBy: 'x509',
      statusChecked: false,
    });
    expect(credential.claims).toEqual({
      [MDL_NAMESPACE]: {
        family_name: 'Okafor',
        given_name: 'Ada',
        birth_date: '1990-04-01',
        issuing_country: 'NZ',
        document_number: 'DL-0042',
      },
    });
    expect(credential.disclosed).toEqual(
      ['birth_date', 'document_number', 'family_name', 'given_name', 'issuing_country'].map(
        (n) => `${MDL_NAMESPACE}.${n}`,
      ),
    );
  });

  it('discloses only the elements the holder chose', async () => {
    const credential = await verify({ mdl: [await presentation({}, { disclose: ['family_name', 'birth_date'] })] });
    expect(credential.disclosed).toEqual([`${MDL_NAMESPACE}.birth_date`, `${MDL_NAMESPACE}.family_name`]);
  });

  it.each([
    ['the nonce of another try', { nonce: 'another-nonce' }],
    ['another client id', { clientId: 'x509_san_dns:other.example' }],
    ['another response_uri', { responseUri: 'https://hook.example/interaction/present/other/response' }],
  ])('whose device signature covers %s is refused', async (_, transcript) => {
    expect(await refusal({ mdl: [await presentation({}, { transcript })] })).toBe('device_signature_invalid');
  });

  it('signed by a device key other than the one in the MSO is refused', async () => {
    const issued = await issueMdoc(documentSigner, holder);
    const other = await makeMdocHolder();
    expect(
      await refusal({
        mdl: [await presentMdoc(issued, { publicJwk: holder.publicJwk, privateJwk: other.privateJwk }, REQUEST)],
      }),
    ).toBe('device_signature_invalid');
  });

  it('without a device signature (the issuer-signed mdoc alone) is refused', async () => {
    const issued = await issueMdoc(documentSigner, holder);
    expect(await refusal({ mdl: [Buffer.from(issued).toString('base64url')] })).toBe('key_binding_missing');
  });

  it('from a document signer under a root not trusted, or whose certificate names no country, is refused', async () => {
    const stranger = await mdocSigner(await makeLeaf(await makeRoot('Unknown IACA'), 'Forger', { country: 'NZ' }));
    expect(await refusal({ mdl: [await presentation({}, {}, stranger)] })).toBe('issuer_untrusted');
    const countryless = await mdocSigner(await makeLeaf(iaca, 'No Country'));
    expect(await refusal({ mdl: [await presentation({}, {}, countryless)] })).toBe('issuer_untrusted');
  });

  it('whose MSO has expired, or is not valid yet, is refused', async () => {
    const now = Date.now();
    expect(
      await refusal({
        mdl: [
          await presentation({
            signed: new Date(now - 3 * HOUR),
            validFrom: new Date(now - 3 * HOUR),
            validUntil: new Date(now - HOUR),
          }),
        ],
      }),
    ).toBe('expired');
    expect(
      await refusal({
        mdl: [await presentation({ validFrom: new Date(now + HOUR), validUntil: new Date(now + 2 * HOUR) })],
      }),
    ).toBe('not_yet_valid');
  });

  it('of a doctype the query does not ask for is refused', async () => {
    expect(await refusal({ mdl: [await presentation({ docType: 'org.iso.23220.photoid.1' })] })).toBe(
      'type_not_requested',
    );
  });

  it('with an element changed after issuance (its digest does not match) is refused', async () => {
    expect(
      await refusal({ mdl: [await presentation({}, { tamper: { element: 'family_name', value: 'Someone Else' } })] }),
    ).toBe('disclosure_invalid');
    expect(
      await refusal({
        mdl: [await presentation({}, { tamper: { element: 'birth_date', value: new DateOnly('1970-01-01') } })],
      }),
    ).toBe('disclosure_invalid');
  });

  it('without an element the query needs is refused', async () => {
    expect(await refusal({ mdl: [await presentation({}, { disclose: ['family_name'] })] })).toBe('claims_missing');
    const { birth_date: _, ...withoutBirthDate } = demoMdlElements();
    expect(await refusal({ mdl: [await presentation({ elements: withoutBirthDate })] })).toBe('claims_missing');
  });

  it.each([
    ['not base64url', 'not base64url!'],
    ['not CBOR', Buffer.from('definitely not cbor').toString('base64url')],
    [
      'CBOR of the wrong shape',
      Buffer.from(cborEncode({ version: '1.0', documents: 'none', status: 0 })).toString('base64url'),
    ],
    [
      'a DeviceResponse with no document',
      Buffer.from(
        cborEncode(
          new Map<string, unknown>([
            ['version', '1.0'],
            ['documents', []],
            ['status', 0],
          ]),
        ),
      ).toString('base64url'),
    ],
    ['CBOR truncated', 'omd2ZXJzaW9uYzEuMGlkb2N1bWVudHOB'],
    ['an SD-JWT where an mdoc was asked for', 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln~'],
  ])('that is %s is refused as malformed', async (_, token) => {
    expect(await refusal({ mdl: [token] })).toBe('malformed');
  });

  it('that is two documents’ worth of answers is refused as malformed', async () => {
    const one = await presentation();
    expect(await refusal({ mdl: [one, one] })).toBe('malformed');
  });
});

describe('an mDL whose MSO has a status list entry', () => {
  let lists: StatusListServer;
  let otherIaca: TestCertificate;
  beforeAll(async () => {
    lists = await startStatusListServer();
    // The issuer's list, signed by a certificate under the mDL's own IACA root (no `iss`: it names itself by x5c).
    const listSigner = await makeIssuer({
      iss: 'https://dmv.example',
      chain: [await makeLeaf(iaca, 'Status List Signer')],
    });
    lists.put('/mdl/1', await listSigner.statusList(lists.url('/mdl/1'), [0, 1, 2, 0]));
    otherIaca = await makeRoot('Another IACA');
    const underOtherRoot = await makeIssuer({
      iss: 'https://other.example',
      chain: [await makeLeaf(otherIaca, 'Other Status List Signer')],
    });
    lists.put('/mdl/other-root', await underOtherRoot.statusList(lists.url('/mdl/other-root'), [0]));
    const stranger = await makeIssuer({
      iss: 'https://forger.example',
      chain: [await makeLeaf(await makeRoot('Forger'), 'Forger')],
    });
    lists.put('/mdl/forged', await stranger.statusList(lists.url('/mdl/forged'), [0]));
  });
  afterAll(() => lists.close());

  const withStatus = async (idx: number, uri = lists.url('/mdl/1')) => presentation({ status: { uri, idx } });

  it('is accepted while its status is valid, and says its status was checked', async () => {
    await expect(verify({ mdl: [await withStatus(0)] })).resolves.toMatchObject({
      format: 'mso_mdoc',
      statusChecked: true,
    });
  });

  it('is refused when revoked or suspended, with the reasons an SD-JWT VC gets', async () => {
    expect(await refusal({ mdl: [await withStatus(1)] })).toBe('revoked');
    expect(await refusal({ mdl: [await withStatus(2)] })).toBe('suspended');
  });

  it('makes the step unavailable when the list cannot be fetched: nothing is decided', async () => {
    await expect(verify({ mdl: [await withStatus(0, lists.url('/mdl/missing'))] })).rejects.toBeInstanceOf(
      StepUnavailableError,
    );
    await expect(verify({ mdl: [await withStatus(0, 'http://127.0.0.1:9/mdl/1')] })).rejects.toBeInstanceOf(
      StepUnavailableError,
    );
  });

  it('is refused when its list is signed under a root not trusted, or under a trusted root other than the mDL’s', async () => {
    expect(await refusal({ mdl: [await withStatus(0, lists.url('/mdl/forged'))] })).toBe('status_list_invalid');
    // Both roots trusted: the list of another IACA's issuer does not speak for this mDL.
    const bothRoots = {
      ...policy,
      trust: { roots: [new X509Certificate(iaca.pem), new X509Certificate(otherIaca.pem)], issuers: new Map() },
    };
    const token = await withStatus(0, lists.url('/mdl/other-root'));
    await expect(
      rejectionOf(
        verifyVpToken({ mdl: [token] }, bothRoots, {
          nonce: REQUEST.nonce,
          audience: REQUEST.clientId,
          responseUri: REQUEST.responseUri,
          now: new Date(),
        }),
      ),
    ).resolves.toBe('status_list_invalid');
  });

  it('whose list is not on https (nor on this machine), or whose index is not one, is refused before anything is fetched', async () => {
    expect(await refusal({ mdl: [await withStatus(0, 'http://lists.example/mdl/1')] })).toBe('malformed');
    expect(await refusal({ mdl: [await withStatus(-1)] })).toBe('malformed');
    const notAMap = new Map([['status_list', lists.url('/mdl/1')]]);
    expect(await refusal({ mdl: [await presentation({ status: notAMap })] })).toBe('malformed');
  });

  it('whose status is by another mechanism only is accepted unchecked, as an SD-JWT VC is', async () => {
    const identifierList = new Map([
      [
        'identifier_list',
        new Map<string, unknown>([
          ['id', new Uint8Array([1])],
          ['uri', 'https://lists.example/ids'],
        ]),
      ],
    ]);
    await expect(verify({ mdl: [await presentation({ status: identifierList })] })).resolves.toMatchObject({
      statusChecked: false,
    });
  });
});

describe('an mdoc presentation changed anywhere', () => {
  it('is refused with a reason, or (where the change touches nothing signed) accepted, but never throws anything else', async () => {
    const good = Buffer.from(await presentation(), 'base64url');
    let refused = 0;
    // Deterministic changes: each byte at a stride through the response, set to a few values. Those
    // accepted fall in the unsigned envelope (the names of `version`, `docType`, `status`, which the
    // library then defaults) or leave the byte as it was.
    for (let at = 0; at < good.length; at += 7) {
      for (const value of [0x00, 0xff, good[at]! ^ 0x01]) {
        const changed = Buffer.from(good);
        changed[at] = value;
        const outcome = await verify({ mdl: [changed.toString('base64url')] }).then(
          () => 'accepted',
          (e: unknown) => e,
        );
        if (outcome === 'accepted') continue;
        expect(outcome).toBeInstanceOf(PresentationRejected);
        refused += 1;
      }
    }
    expect(refused).toBeGreaterThan(good.length / 7);
  });
});

describe('the shipped mDL example (content/examples/terms-present-mdl.config.json)', () => {
  it('loads with the public demo IACA root (no private key shipped beside it), and its query and collect take an mDL from a root it is given', async () => {
    const loaded = loadHookConfig(path.resolve('content/examples/terms-present-mdl.config.json'), {
      env: { HOOK_URL: 'http://localhost:3000/callback' },
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    const config = loaded.config.steps
      .map((step) => configOf(step, presentCredentialStepType))
      .find((c) => c !== undefined);
    if (!config) throw new Error('no present-credential step in the example');
    expect(config.trust.roots.map((root) => root.subject)).toEqual(['C=NZ\nCN=Demo IACA']);
    expect(
      readdirSync('content/present-credential').filter(
        (file) => file.includes('key') && !file.startsWith('demo-request.'),
      ),
    ).toEqual([]);
    // An operator puts their own IACA root in `trust`: the example's query and collect stay.
    const ownRoots = { ...config.trust, roots: [new X509Certificate(iaca.pem)] };
    const token = await presentMdoc(await issueMdoc(documentSigner, holder), holder, REQUEST);
    const credential = await verifyVpToken(
      { mdl: [token] },
      { trust: ownRoots, query: config.query, dcql: config.dcql, statusLists: policy.statusLists },
      { nonce: REQUEST.nonce, audience: REQUEST.clientId, responseUri: REQUEST.responseUri, now: new Date() },
    );
    expect(credential).toMatchObject({ format: 'mso_mdoc', issuer: 'CN=Test Document Signer, C=NZ' });
    expect(config.collect).toEqual({ birth_date: 'birthdate' });
    await expect(
      verifyVpToken(
        { mdl: [token] },
        { trust: config.trust, query: config.query, dcql: config.dcql, statusLists: policy.statusLists },
        { nonce: REQUEST.nonce, audience: REQUEST.clientId, responseUri: REQUEST.responseUri, now: new Date() },
      ),
    ).rejects.toMatchObject({ reason: 'issuer_untrusted' });
  });
});
