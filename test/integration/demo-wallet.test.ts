import { webcrypto } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request, { type Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_LICENCE_EXAMPLE, demoWalletDir } from '../../src/simulator/demo-environment.js';
import { issueDemoLicence } from '../../src/simulator/demo-licence.js';
import type { RunningDemo } from '../../src/simulator/demo-runner.js';
import { demoPorts, runDemoOn, type DemoPorts } from '../support/demo-on-free-ports.js';
import { SAMPLE_CLAIMS } from '../../src/simulator/tenant-simulator.js';
import { csrfFrom } from '../support/hook-fixture.js';
import { makeLeaf, makeRoot } from '../support/wallet/test-pki.js';

/**
 * The demo wallet (`npm run demo`'s /wallet) against the demo's own hook, over HTTP: a browser's
 * journey to the hook's wallet link, then the wallet's page and its answers, and what it refuses.
 */
let dataDir: string;
let running: RunningDemo | undefined;
let tenant: string;
let ports: DemoPorts;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-demo-wallet-'));
  ports = await demoPorts();
  tenant = `http://localhost:${ports.tenant}`;
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

const licenceSteps = () => path.join(demoWalletDir(dataDir), 'terms-present-credential.config.json');
const mdlSteps = () => path.join(demoWalletDir(dataDir), 'terms-present-mdl.config.json');

/** The demo running `steps` (by default the licence steps it writes at start). */
async function startDemo(steps = licenceSteps()): Promise<void> {
  running = await runDemoOn(ports, dataDir, { HOOK_CONFIG: steps }, () => undefined);
}

/** Posts the step form on the page at `at` with `fields`, as its browser would. */
async function submit(hook: TestAgent, at: string, fields: Record<string, string>): Promise<Response> {
  const page = await hook.get(at);
  const step = /name="step" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  return hook
    .post(at)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), step, ...fields });
}

/** A browser's journey from the start page through the terms to "Use my wallet": the wallet link the hook shows. */
async function walletLink(): Promise<{ hook: TestAgent; at: string; link: string }> {
  const started = await request(tenant)
    .post('/start')
    .type('form')
    .send({ claims: JSON.stringify(SAMPLE_CLAIMS), subject: 'demo-user-1' });
  const callback = new URL(started.headers.location!);
  const hook = request.agent(callback.origin);
  const at = (await hook.get(callback.pathname + callback.search)).headers.location!;
  expect((await submit(hook, at, { accept_terms: 'yes', decision: 'accept' })).status).toBe(303);
  expect((await submit(hook, at, { decision: 'start' })).status).toBe(303);
  const page = await hook.get(at);
  const link = /href="([^"]+)" data-present="start"/.exec(page.text)?.[1]?.replaceAll('&amp;', '&');
  expect(link).toMatch(new RegExp(`^${tenant}/wallet\\?`));
  return { hook, at, link: link! };
}

const walletPath = (link: string) => link.slice(tenant.length);
const requestId = (page: string) => /name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** The wallet's request page answered with its button `decision`, as its browser would. */
const answer = (page: string, decision: 'share' | 'refuse') =>
  request(tenant)
    .post('/wallet')
    .type('form')
    .send({ request: requestId(page), decision });

/** The hook's return opened in the journey's browser, which it sends to the tenant: the outcome page there. */
async function outcomeAtTenant(hook: TestAgent, back: URL): Promise<string> {
  const toTenant = new URL((await hook.get(back.pathname + back.search)).headers.location!);
  expect(toTenant.origin).toBe(tenant);
  return (await request(tenant).get(toTenant.pathname + toTenant.search)).text;
}

describe('the demo wallet', () => {
  it('shows the licences it holds (SD-JWT VC and mDL), every claim, when opened without a request', async () => {
    await startDemo();
    const page = await request(tenant).get('/wallet');
    expect(page.status).toBe(200);
    expect(page.text).toContain('This wallet holds 2 credentials');
    expect(page.text).toContain('Issued by <code>https://dmv.example</code>');
    expect(page.text).toContain(
      'Issued by <code>C=NZ, CN=Demo Licence Signer</code>, type <code>org.iso.18013.5.1.mDL</code>',
    );
    expect(page.text).toContain('<dt><code>birth_date</code></dt><dd>1994-07-12</dd>');
    for (const value of ['Aroha', 'Example', '1994-07-12', 'DL-204851']) expect(page.text).toContain(value);
  }, 60_000);

  it('presents its mDL: the page names the asked elements with their values and no others; Share reaches the tenant with the birthdate collected', async () => {
    await startDemo(mdlSteps());
    const { hook, link } = await walletLink();
    const page = await request(tenant).get(walletPath(link));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Example Issuer asks to see your driving licence (mDL)');
    expect(page.text).toContain(
      'The request is signed for <code>localhost</code> with a certificate this wallet trusts.',
    );
    expect(page.text).toContain(
      '<dl class="claims"><dt><code>family_name</code></dt><dd>Example</dd><dt><code>birth_date</code></dt><dd>1994-07-12</dd></dl>',
    );
    expect(page.text).not.toContain('DL-204851');

    const shared = await answer(page.text, 'share');
    expect(shared.status).toBe(303);
    const back = new URL(shared.headers.location!);
    expect(back.pathname).toBe('/interaction/return/present-credential');
    const outcome = await outcomeAtTenant(hook, back);
    expect(outcome).toContain('Credential would be issued');
    expect(outcome).toContain('&#34;birthdate&#34;: &#34;1994-07-12&#34;');
  }, 60_000);

  it('refuses for the mDL as for the licence: the hook hears access_denied and shows the step again with try again and Decline', async () => {
    await startDemo(mdlSteps());
    const { hook, link } = await walletLink();
    const page = await request(tenant).get(walletPath(link));
    const refused = await answer(page.text, 'refuse');
    expect(refused.status).toBe(303);
    const back = new URL(refused.headers.location!);
    const handled = await hook.get(back.pathname + back.search);
    expect(handled.status).toBe(303);
    const step = await hook.get(handled.headers.location!);
    expect(step.text).toContain('You did not share the credential');
    expect(step.text).toContain('value="start"');
    expect(step.text).toContain('value="decline"');
  }, 60_000);

  it('answers a request once: Share sends the browser back to the hook, which ends the journey at the tenant with the birthdate; the same page posted again shares nothing', async () => {
    await startDemo();
    const { hook, link } = await walletLink();
    const page = await request(tenant).get(walletPath(link));
    expect(page.status).toBe(200);
    expect(page.text).toContain('Example Issuer asks to see your driving licence');

    const share = () => answer(page.text, 'share');
    const shared = await share();
    expect(shared.status).toBe(303);
    const back = new URL(shared.headers.location!);
    expect(back.pathname).toBe('/interaction/return/present-credential');
    const again = await share();
    expect(again.status).toBe(400);
    expect(again.text).toContain('This request was answered already, or has expired.');

    const outcome = await outcomeAtTenant(hook, back);
    expect(outcome).toContain('Credential would be issued');
    expect(outcome).toContain('&#34;birthdate&#34;: &#34;1994-07-12&#34;');
  }, 60_000);

  it('opens a link once, as the hook hands out a request once, and says so', async () => {
    await startDemo();
    const { link } = await walletLink();
    expect((await request(tenant).get(walletPath(link))).status).toBe(200);
    const second = await request(tenant).get(walletPath(link));
    expect(second.status).toBe(422);
    expect(second.text).toContain(
      'The verifier would not hand out the request (400: the request object was fetched before)',
    );
    expect(second.text).not.toContain('value="share"');
  }, 60_000);

  it('fetches no request from anywhere but the demo’s hook, and takes no answer without a page of its own', async () => {
    await startDemo();
    let fetched = 0;
    const elsewhere = createServer((_req, res) => {
      fetched += 1;
      res.end('x');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const requestUri = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/request`;
      const page = await request(tenant).get(
        `/wallet?${new URLSearchParams({ client_id: 'x509_san_dns:127.0.0.1', request_uri: requestUri }).toString()}`,
      );
      expect(page.status).toBe(422);
      expect(page.text).toContain('This demo wallet fetches requests from the demo’s hook');
      expect(fetched).toBe(0);
    } finally {
      elsewhere.close();
    }
    const forged = await request(tenant).post('/wallet').type('form').send({ request: 'made-up', decision: 'share' });
    expect(forged.status).toBe(400);
  }, 60_000);

  it('answers an unsigned request of a redirect_uri: client on this machine, saying it is unsigned', async () => {
    const own = mkdtempSync(path.join(tmpdir(), 'hook-demo-steps-'));
    try {
      await startDemo();
      const steps = JSON.parse(readFileSync(licenceSteps(), 'utf8')) as { steps: Array<Record<string, unknown>> };
      const present = steps.steps.find((step) => step.type === 'present-credential')!;
      delete present.requestKey;
      delete present.requestCertificate;
      Object.assign(present, {
        clientId: 'redirect_uri:',
        trust: {
          issuers: [{ iss: 'https://dmv.example', jwks: path.join(demoWalletDir(dataDir), 'demo-issuer.jwks.json') }],
        },
      });
      writeFileSync(path.join(own, 'steps.json'), JSON.stringify(steps));
      // Restarted on the copy, the demo makes its issuer and licence anew; the copy names the new JWKS by its path.
      await running!.close();
      await startDemo(path.join(own, 'steps.json'));
      const { hook, link } = await walletLink();
      expect(new URL(link).searchParams.get('client_id')).toMatch(
        /^redirect_uri:http:\/\/localhost:\d+\/interaction\/present\/[\w-]{43}\/response$/,
      );
      const page = await request(tenant).get(walletPath(link));
      expect(page.status).toBe(200);
      expect(page.text).toContain('The request is unsigned (<code>redirect_uri:</code>)');
      const shared = await answer(page.text, 'share');
      expect(await outcomeAtTenant(hook, new URL(shared.headers.location!))).toContain('Credential would be issued');
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a request signed with a certificate it does not trust, though the certificate names the host', async () => {
    // Steps made as the demo makes its own, then signed with another key and certificate for localhost.
    const own = mkdtempSync(path.join(tmpdir(), 'hook-demo-steps-'));
    try {
      const { stepsFile } = await issueDemoLicence({
        example: DEMO_LICENCE_EXAMPLE,
        dir: own,
        walletUrl: `${tenant}/wallet`,
        person: SAMPLE_CLAIMS,
      });
      const leaf = await makeLeaf(await makeRoot('Someone else'), 'localhost', { dns: 'localhost' });
      const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', leaf.keys.privateKey)).toString('base64');
      writeFileSync(
        path.join(own, 'request.key.pem'),
        `-----BEGIN PRIVATE KEY-----\n${pkcs8.replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
      );
      writeFileSync(path.join(own, 'request.cert.pem'), leaf.pem);
      const steps = JSON.parse(readFileSync(stepsFile, 'utf8')) as { steps: Array<Record<string, unknown>> };
      Object.assign(
        steps.steps.find((step) => step.type === 'present-credential')!,
        { requestKey: 'request.key.pem', requestCertificate: 'request.cert.pem' },
      );
      writeFileSync(stepsFile, JSON.stringify(steps));
      await startDemo(stepsFile);
      const { link } = await walletLink();
      const page = await request(tenant).get(walletPath(link));
      expect(page.status).toBe(422);
      expect(page.text).toContain('The request is signed with a certificate this wallet does not trust.');
      expect(page.text).not.toContain('value="share"');
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  }, 60_000);
});
