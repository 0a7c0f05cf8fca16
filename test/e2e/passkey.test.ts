import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PASSKEY_DECLINED_MESSAGE } from '../../src/interaction/steps/passkey/passkey-step.js';
import { readReturnToken, type ReturnOutcome } from '../../src/simulator/tenant-tokens.js';
import { mustLoad } from '../support/hook-fixture.js';
import {
  browserSuite,
  checkPage,
  chromiumAvailable,
  virtualAuthenticator,
  type Tab,
} from './support/browser-harness.js';

/**
 * The passkey step in a real Chromium with a virtual authenticator (the DevTools protocol's
 * WebAuthn domain): the first journey enrols a passkey, the next uses it. Over http this works on
 * `localhost` only, so the hook's URL names it.
 */
// Enrolment on first use, said explicitly: this is about the ceremony in a browser, not who may enrol.
const EXAMPLE = mustLoad(fileURLToPath(new URL('support/terms-passkey-on-first-use.config.json', import.meta.url)));
const SUBJECT = 'subject-e2e';

/** Run in the page before its own scripts (outside its CSP): the first passkey prompt is cancelled by the "user". */
const CANCEL_FIRST_PROMPT = `(() => {
  const create = navigator.credentials.create.bind(navigator.credentials);
  let cancelled = false;
  navigator.credentials.create = (options) => {
    if (cancelled) return create(options);
    cancelled = true;
    return Promise.reject(new DOMException('The operation either timed out or was not allowed.', 'NotAllowedError'));
  };
})();`;

describe.skipIf(!chromiumAvailable())('the passkey step in a real browser', () => {
  const suite = browserSuite(EXAMPLE, { hostname: 'localhost' });
  let tab: Tab;

  /** The tenant sends the user to the hook with a token about SUBJECT. */
  async function arrive(page: Page): Promise<void> {
    const { token } = await suite.live.fixture.mint({ payload: { sub: SUBJECT } });
    await page.goto(`${suite.live.hookOrigin}/callback?session_token=${token}`);
    await page.waitForURL(/\/interaction\//);
  }

  /** What the tenant reads from the token the hook sent the user back with. */
  async function outcome(page: Page): Promise<ReturnOutcome> {
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    return readReturnToken(
      suite.live.fixture.simulator.identity,
      new URL(page.url()).searchParams.get('session_token')!,
      suite.live.fixture.clock.now(),
    );
  }

  async function passkeyPage(page: Page, expectTerms: boolean): Promise<void> {
    if (expectTerms) {
      await page.check('#accept_terms');
      await page.click('button[value="accept"]');
    }
    await page.waitForSelector('[data-passkey="start"]:not([hidden])');
  }

  it('enrols a passkey on the first journey and uses the same one on the next', async () => {
    tab = await suite.open();
    const { page, context } = tab;
    const { cdp, authenticatorId } = await virtualAuthenticator(context, page);

    await arrive(page);
    await passkeyPage(page, true);
    expect(await page.textContent('h1')).toBe('Confirm it is you with a passkey');
    expect(await page.textContent('[data-passkey="start"]')).toBe('Create a passkey');
    await checkPage(page, 'passkey-enrol');
    await page.click('[data-passkey="start"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(await outcome(page)).toMatchObject({ kind: 'success' });
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(await passkeyCredentials(suite.live.fixture.storage.subjectRecords).forSubject(SUBJECT)).toMatchObject([
      { id: Buffer.from(credentials[0]!.credentialId, 'base64').toString('base64url') },
    ]);

    // The next journey: the terms were accepted before (skipIfAccepted), so the passkey comes first.
    await arrive(page);
    await passkeyPage(page, false);
    expect(await page.textContent('[data-passkey="start"]')).toBe('Use my passkey');
    await checkPage(page, 'passkey-use');
    await page.click('[data-passkey="start"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(await outcome(page)).toMatchObject({ kind: 'success' });
    const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    expect(after.credentials).toHaveLength(1);
    expect(after.credentials[0]!.signCount).toBeGreaterThan(credentials[0]!.signCount);
    const evidence = [];
    for await (const row of suite.live.fixture.storage.ledger.decisions())
      if (row.step === 'passkey') evidence.push(row.evidence);
    expect(evidence).toMatchObject([
      { passkey: 'enrolled', userVerified: true },
      { passkey: 'used', userVerified: true },
    ]);
    expect(tab.problems).toEqual([]);
  });

  it('says so plainly when the user cancels, and lets them try again', async () => {
    tab = await suite.open();
    const { page, context } = tab;
    await virtualAuthenticator(context, page);
    // The browser's own prompt, cancelled once: what a browser reports for a cancel is a NotAllowedError.
    await context.addInitScript(CANCEL_FIRST_PROMPT);
    await arrive(page);
    await passkeyPage(page, true);
    await page.click('[data-passkey="start"]');
    await page.waitForSelector('#passkey-problem:not([hidden])');
    expect(await page.textContent('#passkey-problem')).toContain(
      'The passkey request was cancelled or took too long. Try again, or choose Decline.',
    );
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('passkey-problem');
    await checkPage(page, 'passkey-cancelled');
    expect(page.url()).toMatch(/\/interaction\//);

    await page.click('[data-passkey="start"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(await outcome(page)).toMatchObject({ kind: 'success' });
    expect(tab.problems).toEqual([]);
  });

  it('on a new device with none of the subject’s passkeys, says to use the device where it was created, and who helps', async () => {
    // The first device: the subject enrols a passkey there.
    tab = await suite.open();
    await virtualAuthenticator(tab.context, tab.page);
    await arrive(tab.page);
    await passkeyPage(tab.page, true);
    await tab.page.click('[data-passkey="start"]');
    expect(await outcome(tab.page)).toMatchObject({ kind: 'success' });
    await tab.context.close();

    // A new device: an authenticator of its own, holding none of the passkeys the hook lists.
    tab = await suite.open();
    const { page, context } = tab;
    await virtualAuthenticator(context, page);
    await arrive(page);
    await passkeyPage(page, false);
    expect(await page.textContent('main')).toContain(
      'A passkey stays on the device where you created it. If this device has none for you, use that device.',
    );
    expect(await page.isVisible('#passkey-none-here')).toBe(false);
    await page.click('[data-passkey="start"]');
    await page.waitForSelector('#passkey-problem:not([hidden])');
    const problem = await page.textContent('#passkey-problem');
    expect(problem).toContain('If this device has no passkey for you here, use the device where you created it.');
    expect(problem).not.toContain('cancelled or took too long');
    expect(await page.textContent('#passkey-none-here')).toContain('For help, contact support@issuer.example.');
    expect(await page.getAttribute('#passkey-none-here a', 'href')).toBe('mailto:support@issuer.example');
    // Adding this device is offered only where the steps file allows it, which this one does not.
    expect(await page.locator('button[value="enrol-here"]').count()).toBe(0);
    await checkPage(page, 'passkey-none-here');
    expect(page.url()).toMatch(/\/interaction\//);
    expect(await passkeyCredentials(suite.live.fixture.storage.subjectRecords).forSubject(SUBJECT)).toHaveLength(1);
    expect(tab.problems).toEqual([]);
  });

  it('without JavaScript, says a passkey needs it, and Decline still reaches the tenant', async () => {
    tab = await suite.open({ javaScriptEnabled: false });
    const { page } = tab;
    await arrive(page);
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('button[value="decline"]');
    expect(await page.isVisible('[data-passkey="start"]')).toBe(false);
    expect(await page.textContent('main')).toContain('A passkey needs JavaScript');
    await page.click('button[value="decline"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(await outcome(page)).toMatchObject({ kind: 'failure', message: PASSKEY_DECLINED_MESSAGE });
  });
});
