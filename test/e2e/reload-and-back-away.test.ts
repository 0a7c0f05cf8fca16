import request from 'supertest';
import type { Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalProvider, type LocalProvider } from '../../src/simulator/openid-provider.js';
import { mustLoad } from '../support/hook-fixture.js';
import { CLIENT_ID, CLIENT_SECRET, oidcHookConfig } from '../support/oidc-journey.js';
import { licenceFor, presentParties, type PresentParties } from '../support/present-journey.js';
import { sdJwtPresenter, TestWallet } from '../support/wallet/test-wallet.js';
import {
  browserSuite,
  chromiumAvailable,
  expectBackAndForward,
  expectFinishedOnBack,
  headingAfter,
  startFromTenant,
  virtualAuthenticator,
} from './support/browser-harness.js';

/**
 * Reload and Back in a real Chromium on the pages of the steps that send the user to another site
 * or app and take them back (a step-up at an OpenID provider, a wallet), after each kind of answer
 * (ok, error, cancel, finished), and around a passkey prompt, and the return URL opened twice: always a page of the journey or
 * the tenant, never the browser's error page or one about another browser.
 */
const STRONG = 'urn:example:loa:2';
const SIGN_IN = 'Sign in again';
const SHARE = 'Share a credential from your wallet';

describe.skipIf(!chromiumAvailable())('reload and Back around a step-up sign-in', () => {
  let provider: LocalProvider | undefined;
  const suite = browserSuite(async (hookOrigin) => {
    provider = await startLocalProvider({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${hookOrigin}/interaction/return/oidc`],
      acrValues: [STRONG],
    });
    return oidcHookConfig({
      issuer: provider.issuer,
      acrValues: [STRONG],
      requireAcr: [STRONG],
      matchClaim: { session: 'email', idToken: 'email' },
    });
  });
  afterEach(async () => {
    await provider?.close();
  });

  /** Presses "Continue to …" and answers the provider's sign-in page; the URL it sent the browser back to. */
  async function atProvider(page: Page, answer: 'signin' | 'cancel'): Promise<string> {
    const back = page.waitForRequest((req) => req.url().startsWith(`${suite.live.hookOrigin}/interaction/return/oidc`));
    await page.click('button[value="signin"]');
    await page.waitForSelector('#login');
    if (answer === 'signin') {
      await page.fill('#login', 'ana@example.org');
      await page.click('button:has-text("Sign in")');
    } else {
      await page.click('button[value="yes"]');
    }
    return (await back).url();
  }

  it(
    'after a cancel at the provider: the step page, again on reload, Back and the same return opened twice; then signs in',
    { timeout: 60_000 },
    async () => {
      const { page, problems } = await suite.open();
      await startFromTenant(page, suite.live, { email: 'ana@example.org' });
      expect(await headingAfter(page, () => page.reload())).toBe(SIGN_IN);
      const returned = await atProvider(page, 'cancel');
      await page.waitForSelector('.error-summary');
      expect(page.url()).toMatch(/\/interaction\/[\w-]+$/);
      expect(await page.textContent('.error-summary')).toContain('You cancelled the sign-in');
      // Shown once: a reload is the plain step page.
      expect(await headingAfter(page, () => page.reload())).toBe(SIGN_IN);
      expect(await page.$('.error-summary')).toBeNull();
      expect(await headingAfter(page, () => page.goto(returned))).toBe(SIGN_IN);
      expect(page.url()).toMatch(/\/interaction\/[\w-]+$/);

      const signedIn = await atProvider(page, 'signin');
      await page.waitForURL(`${suite.live.tenantOrigin}/**`);
      const wayBack = page.url();
      expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'success' }]);
      // Back from the tenant is the provider's own page; the return opened again (a reload of it, a
      // link kept) is how the journey ended, with the same way back, not another browser's page.
      expect(await headingAfter(page, () => page.goto(signedIn))).toBe('You have finished here');
      expect(await headingAfter(page, () => page.reload())).toBe('You have finished here');
      expect(await page.getAttribute('#return-to-wallet', 'href')).toBe(wayBack);
      expect(suite.live.fixture.simulator.outcomes).toHaveLength(1);
      expect(problems).toEqual([]);
    },
  );

  it('after Decline: Back and reload say it is finished', async () => {
    const { page, problems } = await suite.open();
    await startFromTenant(page, suite.live, { email: 'ana@example.org' });
    await page.click('button[value="decline"]');
    await expectFinishedOnBack(page, suite.live);
    expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'failure' }]);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!chromiumAvailable())('reload and Back around a wallet presentation', () => {
  let parties: PresentParties;
  const suite = browserSuite(
    async (hookOrigin) => {
      parties = await presentParties({}, {}, `${hookOrigin}/callback`);
      return parties.config;
    },
    { hostname: 'localhost' },
  );

  /** "Use my wallet", then the wallet on the same device opens the link: its request, read and checked. */
  async function walletOpens(page: Page) {
    await page.click('button[value="start"]');
    await page.waitForSelector('[data-present="start"]');
    const wallet = new TestWallet(
      () => request(suite.live.fixture.app),
      sdJwtPresenter(parties.holder, await licenceFor(parties)),
    );
    const link = await page.getAttribute('[data-present="start"]', 'href');
    return { wallet, asked: await wallet.receive(link!) };
  }

  it(
    'on the waiting page, after the wallet refused and once it shared: the journey’s pages, also with the return opened twice',
    { timeout: 60_000 },
    async () => {
      const { page, problems } = await suite.open();
      await startFromTenant(page, suite.live, { family_name: 'Okafor' });
      const first = await walletOpens(page);
      expect(await headingAfter(page, () => page.reload())).toBe(SHARE);
      expect(await page.$('[data-present="start"]')).not.toBeNull();
      await expectBackAndForward(page, suite.live, SHARE);

      const refused = (await first.wallet.refuse(first.asked)).body as { redirect_uri: string };
      expect(await headingAfter(page, () => page.goto(refused.redirect_uri))).toBe(SHARE);
      expect(await page.textContent('.error-summary')).toBeTruthy();
      expect(await headingAfter(page, () => page.reload())).toBe(SHARE);
      expect(await headingAfter(page, () => page.goto(refused.redirect_uri))).toBe(SHARE);

      const second = await walletOpens(page);
      const shared = (await second.wallet.share(second.asked)).body as { redirect_uri: string };
      await page.goto(shared.redirect_uri);
      await expectFinishedOnBack(page, suite.live);
      expect(suite.live.fixture.simulator.outcomes.at(-1)).toMatchObject({
        kind: 'success',
        claims: { birthdate: '1990-04-01' },
      });
      expect(await headingAfter(page, () => page.goto(shared.redirect_uri))).toBe('You have finished here');
      expect(problems).toEqual([]);
    },
  );

  it('after Decline on the waiting page: Back and reload say it is finished', async () => {
    const { page, problems } = await suite.open();
    await startFromTenant(page, suite.live, { family_name: 'Okafor' });
    await walletOpens(page);
    await page.click('button[value="decline"]');
    await expectFinishedOnBack(page, suite.live);
    expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'failure' }]);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!chromiumAvailable())('reload and Back around a passkey prompt', () => {
  const PASSKEY = 'Confirm it is you with a passkey';
  // WebAuthn works over http on `localhost` only.
  const suite = browserSuite(
    mustLoad(fileURLToPath(new URL('support/terms-passkey-on-first-use.config.json', import.meta.url))),
    { hostname: 'localhost' },
  );

  async function onPasskeyStep(page: Page): Promise<void> {
    await startFromTenant(page, suite.live);
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('[data-passkey="start"]:not([hidden])');
  }

  it(
    'after a cancelled prompt: reload and Back show the step afresh; after the passkey is made: that it is finished',
    { timeout: 60_000 },
    async () => {
      const { page, context, problems } = await suite.open();
      await virtualAuthenticator(context, page);
      // The browser's own prompt, cancelled the first time in this tab (a NotAllowedError), as a person would.
      await context.addInitScript(`(() => {
      const create = navigator.credentials.create.bind(navigator.credentials);
      navigator.credentials.create = (options) => {
        if (sessionStorage.getItem('prompted')) return create(options);
        sessionStorage.setItem('prompted', 'yes');
        return Promise.reject(new DOMException('cancelled', 'NotAllowedError'));
      };
    })();`);
      await onPasskeyStep(page);
      expect(await headingAfter(page, () => page.reload())).toBe(PASSKEY);
      await page.click('[data-passkey="start"]');
      await page.waitForSelector('#passkey-problem:not([hidden])');
      expect(await headingAfter(page, () => page.reload())).toBe(PASSKEY);
      expect(await page.isVisible('#passkey-problem')).toBe(false);
      await expectBackAndForward(page, suite.live, PASSKEY);

      await page.waitForSelector('[data-passkey="start"]:not([hidden])');
      await page.click('[data-passkey="start"]');
      await expectFinishedOnBack(page, suite.live);
      expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'success' }]);
      expect(problems.filter((p) => !/^failed \S+\/static\//.test(p))).toEqual([]);
    },
  );

  it('after Decline: Back and reload say it is finished', async () => {
    const { page, problems } = await suite.open();
    await onPasskeyStep(page);
    await page.click('button[value="decline"]');
    await expectFinishedOnBack(page, suite.live);
    expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'failure' }]);
    expect(problems).toEqual([]);
  });
});
