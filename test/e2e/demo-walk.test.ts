import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../bench/processes.js';
import {
  checkPage,
  chromiumAvailable,
  launchBrowser,
  openTab,
  screenshot,
  type Tab,
} from './support/browser-harness.js';

/**
 * `npm run demo` as a newcomer walks it: the real demo process (simulated tenant, local mailbox,
 * local OpenID provider), driven in Chromium at phone size, through the steps files its start
 * page offers.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = chromiumAvailable() ? describe : describe.skip;

interface Demo {
  process: ChildProcess;
  tenant: string;
  mailbox: string;
  provider: number;
  dataDir: string;
  /** What the demo printed so far. */
  output: () => string;
}

/**
 * Starts the demo and resolves once it printed where to go. The ports are found free before the demo
 * takes them, so another test may take one first: the demo then stops naming EADDRINUSE, and is
 * started again on other ports.
 */
async function startDemo(env: Record<string, string> = {}, ports?: { provider: number }): Promise<Demo> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startDemoOnce(env, ports);
    } catch (error) {
      if (attempt === 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startDemoOnce(env: Record<string, string>, ports?: { provider: number }): Promise<Demo> {
  const [hook, tenant, provider, mailbox] = [
    await freePort(),
    await freePort(),
    ports?.provider ?? (await freePort()),
    await freePort(),
  ];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hook-demo-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/demo.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      PORT: String(hook),
      SIMULATOR_PORT: String(tenant),
      OIDC_PROVIDER_PORT: String(provider),
      MAILBOX_PORT: String(mailbox),
      DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('Interaction hook demo: open')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`the demo exited (${String(code)}):\n${output}`)));
  });
  return {
    process: child,
    tenant: `http://localhost:${tenant}`,
    mailbox: `http://127.0.0.1:${mailbox}`,
    provider,
    dataDir,
    output: () => output,
  };
}

async function stopDemo(demo: Demo | undefined): Promise<void> {
  if (!demo) return;
  const exited = new Promise((resolve) => demo.process.once('exit', resolve));
  demo.process.kill('SIGTERM');
  await exited;
  rmSync(demo.dataDir, { recursive: true, force: true });
}

/** From the tenant's start page to the first step after the terms; `steps`: the steps file to pick there first. */
async function startJourney(page: Page, demo: Demo, steps?: string): Promise<void> {
  await page.goto(`${demo.tenant}/`);
  if (steps !== undefined) await page.selectOption('#steps', { label: steps });
  await page.click('button:has-text("Start the interaction hook")');
  await page.waitForURL(/\/interaction\//);
  await page.check('#accept_terms');
  await page.click('button[value="accept"]');
}

run('the demo, walked in a browser', () => {
  let browser: Browser;
  let tab: Tab | undefined;
  let demo: Demo | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });
  afterEach(async () => {
    await tab?.context.close();
    tab = undefined;
    await stopDemo(demo);
    demo = undefined;
  });

  it('offers its steps files, and walks terms, an emailed code and a passkey to the tenant, twice with the same passkey', async () => {
    demo = await startDemo();
    tab = await openTab(browser);
    const { page, context } = tab;
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });

    expect(demo.output()).toContain(`export MATTR_TENANT_URL=`);
    for (const round of [1, 2]) {
      // Picked on the start page and started at once, without "Use these steps": Start runs what the page shows.
      await startJourney(page, demo, round === 1 ? 'Terms, an emailed code and a passkey' : undefined);
      if (round === 1) {
        // The CLI lines it prints again name the file now in use.
        await vi.waitFor(() => expect(demo!.output()).toContain('The hook now runs the steps file'));
        expect(demo.output().split('The hook now runs the steps file')[1]).toContain(
          `HOOK_CONFIG=${path.join(ROOT, 'content/examples/terms-email-code-passkey.config.json')}`,
        );
      }
      expect(await page.textContent('h1')).toContain('email');
      if (round === 1) await checkPage(page, 'demo-email-code');
      await page.click('button[value="send"]');
      const mail = await (await fetch(`${demo.mailbox}/`)).text();
      const code = /\b(\d{6})\b/.exec(mail)?.[1];
      expect(code).toBeDefined();
      await page.fill('#code', code!);
      await page.click('button[value="verify"]');
      await page.waitForSelector('[data-passkey="start"]');
      if (round === 1) await checkPage(page, 'demo-passkey');
      await page.click('[data-passkey="start"]');
      await page.waitForURL(`${demo.tenant}/**`);
      expect(await page.textContent('h1')).toBe('Credential would be issued');
    }
    await page.goto(`${demo.tenant}/`);
    expect(await page.textContent('body')).toContain('The hook runs now: Terms, an emailed code and a passkey');
    expect(tab.problems).toEqual([]);
  }, 120_000);

  it('walks terms and a licence from the demo wallet: a refusal comes back to the step page, a share reaches the tenant with the claim collected', async () => {
    demo = await startDemo();
    tab = await openTab(browser);
    const { page } = tab;
    // Printed in the block that follows the line startDemo waits for, which may come in a later chunk.
    await vi.waitFor(() =>
      expect(demo!.output()).toContain(`The demo wallet (steps that present a licence): ${demo!.tenant}/wallet`),
    );
    await startJourney(page, demo, 'Terms and a licence presented from the wallet');
    await page.waitForSelector('h1:text-is("Share a credential from your wallet")');

    /** From the step's first page to the wallet showing the hook's request. */
    const openWallet = async () => {
      await page.click('button[value="start"]');
      const link = await page.getAttribute('a[data-present="start"]', 'href');
      expect(link).toMatch(new RegExp(`^${demo!.tenant}/wallet\\?client_id=x509_san_dns%3Alocalhost&request_uri=`));
      await page.click('a[data-present="start"]');
      await page.waitForURL(`${demo!.tenant}/wallet?**`);
    };

    await openWallet();
    expect(await page.textContent('h2')).toBe('Example Issuer asks to see your driving licence');
    const request = await page.textContent('body');
    expect(request).toContain('The request is signed for localhost with a certificate this wallet trusts.');
    // The claims the query asks for, with the values to be shared; the licence's others are not offered.
    expect(await page.locator('.claims dt').allTextContents()).toEqual(['Family name', 'Birthdate']);
    expect(await page.locator('.claims dd').allTextContents()).toEqual(['Example', '1994-07-12']);
    expect(request).not.toContain('DL-204851');
    await checkPage(page, 'demo-wallet-request');

    await page.click('button[value="refuse"]');
    await page.waitForSelector('text=You did not share the credential');
    expect(new URL(page.url()).origin).not.toBe(demo.tenant);
    expect(await page.isVisible('button[value="decline"]')).toBe(true);

    await openWallet();
    await shareAndReachTenant(page, demo.tenant);
    expect(tab.problems).toEqual([]);
  }, 120_000);

  it('walks terms and a driving licence (mDL) from the demo wallet: Share reaches the tenant with the birth date collected', async () => {
    demo = await startDemo();
    tab = await openTab(browser);
    const { page } = tab;
    await startJourney(page, demo, 'Terms and a driving licence (mDL) presented from the wallet');
    await page.waitForSelector('h1:text-is("Share a credential from your wallet")');
    await page.click('button[value="start"]');
    await page.click('a[data-present="start"]');
    await page.waitForURL(`${demo.tenant}/wallet?**`);
    expect(await page.textContent('h2')).toBe('Example Issuer asks to see your driving licence (mDL)');
    // The element identifiers the query names, with the values to be shared, and no other.
    expect(await page.locator('.claims dt').allTextContents()).toEqual(['family_name', 'birth_date']);
    expect(await page.locator('.claims dd').allTextContents()).toEqual(['Example', '1994-07-12']);
    await checkPage(page, 'demo-wallet-mdl-request');

    await shareAndReachTenant(page, demo.tenant);
    expect(tab.problems).toEqual([]);
  }, 120_000);

  /** Share on the wallet's request page: the journey ends at the tenant with the birthdate the step collects. */
  async function shareAndReachTenant(page: Page, tenant: string): Promise<void> {
    await page.click('button[value="share"]');
    await page.waitForURL(`${tenant}/v1/**`);
    expect(await page.textContent('h1')).toBe('Credential would be issued');
    expect(await page.textContent('pre')).toContain('"birthdate": "1994-07-12"');
  }

  /** The step-up example, copied to name this run's provider port (the example names the default one). */
  function stepUpCopy(dir: string, provider: number): string {
    const example = path.join(ROOT, 'content/examples/terms-step-up.config.json');
    const steps = JSON.parse(readFileSync(example, 'utf8')) as {
      issuer: { logo?: string };
      steps: Array<Record<string, unknown>>;
    };
    const absolute = (relative: string) => path.resolve(path.dirname(example), relative);
    if (steps.issuer.logo !== undefined) steps.issuer.logo = absolute(steps.issuer.logo);
    for (const step of steps.steps) {
      if (step.type === 'oidc') step.issuer = `http://127.0.0.1:${provider}`;
      if (step.type === 'terms')
        step.documents = Object.fromEntries(
          Object.entries(step.documents as Record<string, string>).map(([lang, file]) => [lang, absolute(file)]),
        );
    }
    writeFileSync(path.join(dir, 'steps.json'), JSON.stringify(steps));
    return path.join(dir, 'steps.json');
  }

  /** The demo on the step-up example, a journey to the provider, and a sign-in there as `login`; the page is back at the tenant. */
  async function signInAtProvider(login: string, onStepPage?: (page: Page) => Promise<void>): Promise<Page> {
    const provider = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-demo-steps-'));
    try {
      demo = await startDemo({ HOOK_CONFIG: stepUpCopy(dir, provider) }, { provider });
      tab = await openTab(browser);
      const { page } = tab;
      await startJourney(page, demo);
      await onStepPage?.(page);
      await page.click('button[value="signin"]');
      await page.waitForURL(`http://127.0.0.1:${provider}/**`);
      await page.fill('#login', login);
      await page.click('button:has-text("Sign in")');
      await page.waitForURL(`${demo.tenant}/**`);
      return page;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('walks terms and step-up at the local OpenID provider to the tenant, with the claim it collects', async () => {
    const page = await signInAtProvider('aroha@example.com', (stepPage) => checkPage(stepPage, 'demo-step-up'));
    expect(await page.textContent('h1')).toBe('Credential would be issued');
    expect(await page.textContent('body')).toContain('step_up_email_verified');
    // The local provider's own warnings (Node.js 20, in-memory state) are not the demo's to show.
    expect(demo!.output()).not.toContain('oidc-provider WARNING');
    expect(tab!.problems).toEqual([]);
  }, 120_000);

  it('shows a long failure message whole on a phone, and says plainly when the same answer comes back on reload', async () => {
    // Someone else signs in: the step's matchClaim fails, with a long sentence for the tenant.
    const page = await signInAtProvider('someone-else@example.com');
    expect(await page.textContent('h1')).toBe('Issuance failed');
    expect(await page.textContent('.message')).toBe(
      'The extra sign-in at the OpenID provider failed: the person who signed in is not the person the credential is for (the tenant\'s "email" and the ID token\'s "email" differ).',
    );
    expect(
      Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')),
    ).toBeLessThanOrEqual(0);
    await screenshot(page, 'demo-failure');
    await page.reload();
    expect(await page.textContent('h1')).toBe('Seen again');
    expect(await page.textContent('body')).toContain('already took the hook’s answer for this issuance');
    await screenshot(page, 'demo-seen-again');
  }, 120_000);
});
