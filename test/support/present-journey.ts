import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webcrypto } from 'node:crypto';
import request, { type Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { expect } from 'vitest';
import type { HookConfig } from '../../src/config/hook-config.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { presentCredentialStepType } from '../../src/interaction/steps/present-credential/index.js';
import { presentCredentialSchema } from '../../src/interaction/steps/present-credential/schema.js';
import {
  PresentationRejected,
  type RejectionReason,
} from '../../src/interaction/steps/present-credential/rejection.js';
import { readReturnToken, type ReturnOutcome } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, HOOK_URL, TENANT_URL, type HookFixture } from './hook-fixture.js';
import { makeHolder, type TestHolder } from './wallet/test-holder.js';
import { makeIssuer, type IssuedCredential, type TestIssuer } from './wallet/test-issuer.js';
import {
  makeMdocHolder,
  MDL_DOCTYPE,
  MDL_NAMESPACE,
  mdocSigner,
  type MdocHolder,
  type MdocSigner,
} from './wallet/test-mdoc-holder.js';
import { makeLeaf, makeRoot, type TestCertificate } from './wallet/test-pki.js';
import { TestWallet, type Presenter, type WalletRequest } from './wallet/test-wallet.js';

export const STEP_ID = 'licence';
export const VCT = 'https://credentials.example/driving-licence';

/** The parties of a present-credential test: a licence issuer, a holder, the hook's request certificate. */
export interface PresentParties {
  issuer: TestIssuer;
  holder: TestHolder;
  config: HookConfig;
  dir: string;
}

/**
 * A steps file with one present-credential step, its files (and `files`) written beside it, loaded as
 * the hook at `hookUrl` loads it: the request certificate names that host.
 */
export async function presentParties(
  entry: Record<string, unknown> = {},
  files: Record<string, string> = {},
  hookUrl = HOOK_URL,
): Promise<PresentParties> {
  const hookHost = new URL(hookUrl).hostname;
  const dir = mkdtempSync(path.join(tmpdir(), 'present-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const issuer = await makeIssuer({ iss: 'https://dmv.example' });
  const root = await makeRoot('Hook Request Root');
  const leaf = await makeLeaf(root, 'Hook requests', { dns: hookHost });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leaf.keys.privateKey)).toString('base64');
  writeFileSync(
    path.join(dir, 'request.key.pem'),
    `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
  );
  writeFileSync(path.join(dir, 'request.cert.pem'), leaf.pem);
  writeFileSync(path.join(dir, 'dmv.jwks.json'), JSON.stringify(issuer.jwks));
  const parsed = presentCredentialSchema.parse({
    type: 'present-credential',
    id: STEP_ID,
    query: {
      credentials: [
        {
          id: 'licence',
          format: 'dc+sd-jwt',
          meta: { vct_values: [VCT] },
          claims: [{ path: ['family_name'] }, { path: ['birthdate'] }],
        },
      ],
    },
    trust: { issuers: [{ iss: issuer.iss, jwks: 'dmv.jwks.json' }] },
    matchClaim: { session: 'family_name', credential: ['family_name'] },
    collect: { birthdate: 'birthdate' },
    clientId: `x509_san_dns:${hookHost}`,
    requestKey: 'request.key.pem',
    requestCertificate: 'request.cert.pem',
    walletUrl: 'openid4vp://',
    ...entry,
  });
  const loaded = presentCredentialStepType.load(parsed, {
    dir,
    where: 'steps.0',
    id: STEP_ID,
    env: { HOOK_URL: hookUrl },
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  const config = {
    issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined },
    steps: [configureStep(presentCredentialStepType, loaded.config)],
  };
  return { issuer, holder: await makeHolder(), config, dir };
}

/** The parties of an mdoc test: an IACA root the step trusts, a document signer under it, a device key. */
export interface MdocParties extends PresentParties {
  /** The IACA root the step trusts (it signs the issuer's status list signer too). */
  iaca: TestCertificate;
  documentSigner: MdocSigner;
  device: MdocHolder;
}

/** A present-credential step asking for an mDL (mso_mdoc): family_name to match, birth_date to collect. */
export async function mdocParties(): Promise<MdocParties> {
  const iaca = await makeRoot('Test IACA');
  const documentSigner = await mdocSigner(await makeLeaf(iaca, 'Test Licence Signer', { country: 'NZ' }));
  const parties = await presentParties(
    {
      query: {
        credentials: [
          {
            id: 'mdl',
            format: 'mso_mdoc',
            meta: { doctype_value: MDL_DOCTYPE },
            claims: [{ path: [MDL_NAMESPACE, 'family_name'] }, { path: [MDL_NAMESPACE, 'birth_date'] }],
          },
        ],
      },
      trust: { x509Roots: ['iaca.pem'] },
      matchClaim: { session: 'family_name', credential: [MDL_NAMESPACE, 'family_name'] },
      collect: { birth_date: 'birthdate' },
    },
    { 'iaca.pem': iaca.pem },
  );
  return { ...parties, iaca, documentSigner, device: await makeMdocHolder() };
}

export async function licenceFor(
  parties: PresentParties,
  disclosable: Record<string, unknown> = { family_name: 'Okafor', birthdate: '1990-04-01' },
): Promise<IssuedCredential> {
  return parties.issuer.issue({
    vct: VCT,
    disclosable,
    holder: parties.holder.publicJwk,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
}

/**
 * One user's journey through the step in one browser, and their wallet beside it. Every answer of
 * the hook to the browser is checked for what no input may cause: a 5xx (but the 503 of a status
 * list away), or a redirect anywhere but the tenant or the hook itself.
 */
export class PresentJourney<Options extends object> {
  path = '';
  state = '';
  readonly wallet: TestWallet<Options>;

  constructor(
    private readonly hook: HookFixture,
    presenter: Presenter<Options>,
    readonly browser: TestAgent = hook.browser(),
  ) {
    this.wallet = new TestWallet(() => request(hook.app), presenter);
  }

  async arrive(claims: Record<string, unknown> = { family_name: 'Okafor' }): Promise<Response> {
    const { token, state } = await this.hook.mint({ claims });
    this.state = state;
    this.path = this.checked(await this.browser.get(`/callback?session_token=${token}`)).headers.location!;
    return this.checked(await this.browser.get(this.path));
  }

  async press(decision: 'start' | 'decline'): Promise<Response> {
    const page = this.checked(await this.browser.get(this.path));
    return this.checked(
      await this.browser
        .post(this.path)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), step: STEP_ID, decision }),
    );
  }

  /** Presses "Use my wallet" and reads the waiting page: the wallet link, the QR code, the continue link. */
  async start(): Promise<{ page: Response; link: string; continueLink: string }> {
    const started = await this.press('start');
    expect(started.status).toBe(303);
    expect(started.headers.location).toBe(this.path);
    const page = this.checked(await this.browser.get(this.path));
    const link = unescape(/href="([^"]+)" data-present="start"/.exec(page.text)?.[1]);
    const continueLink = unescape(/href="([^"]+)" data-present="continue"/.exec(page.text)?.[1]);
    return { page, link, continueLink };
  }

  /** Arrives, presses "Use my wallet" and lets the wallet read the request. */
  async requestInWallet(claims?: Record<string, unknown>): Promise<WalletRequest> {
    await this.arrive(claims);
    return this.wallet.receive((await this.start()).link);
  }

  /** The page's poll. */
  async poll(): Promise<Record<string, unknown>> {
    const page = await this.browser.get(this.path);
    const csrf = /data-csrf="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const res = this.checked(await this.browser.post(`${this.path}/status`).set('X-CSRF-Token', csrf).send({}));
    return res.body as Record<string, unknown>;
  }

  /** Opens a URL of the hook in this browser (the wallet's redirect_uri). */
  async open(url: string, options: { away?: boolean } = {}): Promise<Response> {
    const target = new URL(url, HOOK_URL);
    return this.checked(await this.browser.get(target.pathname + target.search), options);
  }

  async outcome(res: Response): Promise<ReturnOutcome> {
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!);
    expect(location.origin).toBe(TENANT_URL);
    return readReturnToken(
      this.hook.simulator.identity,
      location.searchParams.get('session_token')!,
      this.hook.clock.now(),
    );
  }

  checked(res: Response, options: { away?: boolean } = {}): Response {
    if (options.away) expect(res.status).toBe(503);
    else expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    const location = res.headers.location;
    if (location !== undefined && !location.startsWith('/')) expect(new URL(location).origin).toBe(TENANT_URL);
    return res;
  }
}

/** Why the verifier refused a presentation: it must refuse, with a reason. */
export async function rejectionOf(verifying: Promise<unknown>): Promise<RejectionReason> {
  const error = await verifying.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PresentationRejected);
  return (error as PresentationRejected).reason;
}

function unescape(html: string | undefined): string {
  if (html === undefined) throw new Error('the page has no such link');
  return html.replaceAll('&amp;', '&').replaceAll('&#34;', '"').replaceAll('&#39;', "'");
}
