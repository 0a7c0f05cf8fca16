import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG } from '../../src/config/hook-config.js';
import { mustLoad } from '../support/hook-fixture.js';
import {
  browserSuite,
  fillDate,
  checkPage,
  chromiumAvailable,
  screenshot,
  startFromTenant,
  type Tab,
} from './support/browser-harness.js';

/**
 * The end user's pages in a real Chromium, driven from the simulated tenant's start page to its
 * return page, over real HTTP. Every hook page met is checked by axe-core (WCAG 2.1 A/AA), for
 * horizontal scrolling at 360 px and 200 % zoom, and saved as a phone-size screenshot under
 * test-output/screenshots/.
 */
const EXAMPLE = mustLoad(path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'));

describe.skipIf(!chromiumAvailable())('the end user’s pages in a real browser', () => {
  const suite = browserSuite(EXAMPLE);
  let tab: Tab;

  async function acceptTerms(page: Page): Promise<void> {
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('#field-email');
  }

  const focused = (page: Page) =>
    page.evaluate('document.activeElement && (document.activeElement.id || document.activeElement.className)');

  it('accepts the terms and the profile, and the tenant receives the claims', async () => {
    tab = await suite.open();
    const { page } = tab;
    await startFromTenant(page, suite.live, { given_name: 'Aroha', email: 'aroha@example.com' });
    expect(await page.textContent('h1')).toBe('Terms of use');
    expect(await page.textContent('.progress')).toBe('Step 1 of 2');
    expect(await page.textContent('.greeting')).toBe('Hello Aroha,');
    await checkPage(page, 'terms');

    await acceptTerms(page);
    expect(await page.textContent('.progress')).toBe('Step 2 of 2');
    expect(await page.inputValue('#field-email')).toBe('aroha@example.com');
    await checkPage(page, 'profile');

    await page.fill('#field-phone_number', '021 123 4567');
    await fillDate(page, 'field-birthdate', '1990-03-27');
    await page.selectOption('#field-region', 'south');
    await page.check('#field-news_opt_in');
    await page.click('button.primary');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(await page.textContent('h1')).toBe('Credential would be issued');
    await screenshot(page, 'tenant-success');
    expect(suite.live.fixture.simulator.outcomes).toHaveLength(1);
    expect(suite.live.fixture.simulator.outcomes[0]).toMatchObject({
      kind: 'success',
      claims: {
        email: 'aroha@example.com',
        phone_number: '0211234567',
        birthdate: '1990-03-27',
        region: 'south',
        news_opt_in: true,
      },
    });

    // Once the token sent back has run out, the Back button leads to a clear page, never a second redirect.
    suite.live.fixture.clock.advance(61);
    await page.goBack();
    expect(await page.textContent('h1')).toBe('Already completed');
    await checkPage(page, 'already-completed');
    expect(suite.live.fixture.simulator.outcomes).toHaveLength(1);
    expect(tab.problems).toEqual([]);
  });

  it('shows errors in a focused summary linked to each field, then lets the user put them right', async () => {
    tab = await suite.open();
    const { page } = tab;
    await startFromTenant(page, suite.live);
    await page.click('button[value="accept"]');
    expect(await page.textContent('.error-summary h2')).toBe('There is a problem');
    expect(await focused(page)).toBe('error-summary');
    await checkPage(page, 'terms-error');
    await page.click('.error-summary a');
    expect(await focused(page)).toBe('accept_terms');
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('#field-email');

    await page.fill('#field-email', 'aroha@');
    await page.fill('#field-phone_number', '12');
    await page.click('button.primary');
    await page.waitForSelector('.error-summary');
    expect(await focused(page)).toBe('error-summary');
    const links = await page.$$eval(
      '.error-summary a',
      (as: { getAttribute(name: string): string | null; textContent: string | null }[]) =>
        as.map((a) => [a.getAttribute('href'), a.textContent]),
    );
    expect(links).toEqual([
      ['#field-email', 'Enter an email address like name@example.com in “Email address”.'],
      ['#field-phone_number', 'Enter a phone number in “Mobile number”, like +64 21 123 4567.'],
      ['#field-birthdate-day', 'Fill in “Date of birth”.'],
      ['#field-region', 'Choose an option for “Region”.'],
    ]);
    // Each message is read out with its field.
    expect(await page.getAttribute('#field-email', 'aria-invalid')).toBe('true');
    const described = await page.evaluate(
      "document.querySelector('#field-email').getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id).textContent.trim())",
    );
    expect(described).toEqual([
      'We only use it to tell you about this credential.',
      'Enter an email address like name@example.com in “Email address”.',
    ]);
    expect(await page.inputValue('#field-phone_number')).toBe('12');
    await checkPage(page, 'profile-errors');

    await page.click('a[href="#field-region"]');
    expect(await focused(page)).toBe('field-region');
    await page.fill('#field-email', 'aroha@example.com');
    await page.fill('#field-phone_number', '');
    await fillDate(page, 'field-birthdate', '1990-03-27');
    await page.selectOption('#field-region', 'north');
    await page.click('button.primary');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(suite.live.fixture.simulator.outcomes[0]).toMatchObject({
      kind: 'success',
      claims: { email: 'aroha@example.com', region: 'north', news_opt_in: false },
    });
    expect(tab.problems).toEqual([]);
  });

  it('declines, and a return to the journey says so plainly', async () => {
    tab = await suite.open();
    const { page } = tab;
    const journey = await startFromTenant(page, suite.live);
    await page.click('button[value="decline"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(await page.textContent('h1')).toBe('Issuance failed');
    expect(suite.live.fixture.simulator.outcomes[0]).toMatchObject({
      kind: 'failure',
      message: 'The user declined the terms of use.',
    });
    suite.live.fixture.clock.advance(61);
    await page.goto(journey);
    expect(await page.textContent('h1')).toBe('You declined');
    expect(await page.textContent('footer')).toContain('support@issuer.example');
    await checkPage(page, 'declined');
  });

  it('offers a way out of the profile step, and names the last button after what it does', async () => {
    tab = await suite.open();
    const { page } = tab;
    await startFromTenant(page, suite.live);
    expect(await page.textContent('button.primary')).toBe('Accept and continue');
    await acceptTerms(page);
    expect(await page.textContent('button.primary')).toBe('Finish and return to your wallet');
    await page.fill('#field-email', 'not-an-email');
    // Enter in a field on a page with errors is still Continue, not the language switch.
    await page.press('#field-email', 'Enter');
    await page.waitForSelector('.error-summary');
    await page.press('#field-email', 'Enter');
    await page.waitForSelector('.error-summary');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.click('button[value="decline"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(suite.live.fixture.simulator.outcomes[0]).toMatchObject({
      kind: 'failure',
      message: 'The user chose not to continue.',
    });
    expect(tab.problems).toEqual([]);
  });

  it('switches to French without losing the step, and stays French', async () => {
    tab = await suite.open();
    const { page } = tab;
    const journey = await startFromTenant(page, suite.live);
    await page.click('a[hreflang="fr"]');
    await page.waitForSelector('html[lang="fr"]');
    // The switch answered 303 to the page without ?lang, so no history entry holds the old
    // switch for Back or a reload to replay.
    expect(page.url()).toBe(journey);
    await page.reload();
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.textContent('h1')).toBe('Conditions d’utilisation');
    expect(await page.textContent('.progress')).toBe('Étape 1 sur 2');
    await checkPage(page, 'terms-fr');
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('#field-email');
    expect(await page.textContent('label[for="field-email"]')).toBe('Adresse e-mail');
    // The date in the page's language, not the browser's (en-NZ here): three boxes, in French.
    expect(await page.locator('input[type="date"]').count()).toBe(0);
    expect(await page.textContent('#field-birthdate legend')).toBe('Date de naissance');
    expect(
      await page.$$eval('#field-birthdate label', (ls: Array<{ textContent: string | null }>) =>
        ls.map((l) => l.textContent),
      ),
    ).toEqual(['Jour', 'Mois', 'Année']);
    await fillDate(page, 'field-birthdate', '1990-02-31');
    await page.click('button.primary');
    await page.waitForSelector('#field-birthdate-error');
    expect(await page.textContent('#field-birthdate-error')).toBe(
      'Saisissez une date valide dans «\u00a0Date de naissance\u00a0».',
    );
    expect(await page.inputValue('#field-birthdate-day')).toBe('31');
    await page.click('a[href="#field-birthdate-day"]');
    expect(await focused(page)).toBe('field-birthdate-day');
    await page.fill('#field-email', '');
    await page.click('button.primary');
    await page.waitForSelector('.error-summary');
    expect(await page.textContent('#field-email-error')).toBe('Renseignez le champ «\u00a0Adresse e-mail\u00a0».');
    await page.fill('#field-phone_number', '12');
    await page.click('button.primary');
    await page.waitForSelector('#field-phone_number-error');
    await checkPage(page, 'profile-errors-fr');
    // The language button (a form's, on a page with errors) sits on one line with the current language, as the links do elsewhere.
    const textBottoms = await page.evaluate<number[]>(
      "['button.language-switch', '.current-language'].map((s) => { const r = document.createRange(); r.selectNodeContents(document.querySelector(s)); return r.getBoundingClientRect().bottom; })",
    );
    expect(Math.abs(textBottoms[0]! - textBottoms[1]!)).toBeLessThanOrEqual(1);
    // On a page with errors the switch posts what was typed along, so nothing is lost.
    await page.click('button.language-switch[value="en"]');
    await page.waitForSelector('html[lang="en"]');
    expect(await page.textContent('h1')).toBe('Tell us a bit more');
    expect(await page.inputValue('#field-phone_number')).toBe('12');
    expect(await page.textContent('#field-email-error')).toBe('Fill in “Email address”.');
    await checkPage(page, 'profile-errors-switched');

    // A browser that asks for French gets French from the first page.
    const french = await suite.open({ locale: 'fr-FR' });
    await startFromTenant(french.page, suite.live);
    expect(await french.page.textContent('h1')).toBe('Conditions d’utilisation');
    expect(await french.page.getAttribute('article.terms', 'lang')).toBe('fr');
    await french.context.close();
  }, 60_000);

  it(
    'keeps what was typed after the errors across language switches, also what was put right since',
    { timeout: 60_000 },
    async () => {
      const { page, problems } = await suite.open();
      await startFromTenant(page, suite.live);
      await acceptTerms(page);
      await page.fill('#field-email', 'aroha@');
      await fillDate(page, 'field-birthdate', '1990-03-27');
      await page.click('button.primary');
      await page.waitForSelector('.error-summary');
      // Put right on the page, then the language switched: the new values go along.
      await page.fill('#field-email', 'aroha@example.com');
      await page.selectOption('#field-region', 'north');
      await page.click('button.language-switch[value="fr"]');
      await page.waitForSelector('html[lang="fr"]');
      expect(await page.$('.error-summary')).toBeNull();
      expect(await page.inputValue('#field-email')).toBe('aroha@example.com');
      expect(await page.inputValue('#field-birthdate-day')).toBe('27');
      expect(await page.inputValue('#field-region')).toBe('north');
      await page.fill('#field-phone_number', '021 123 4567');
      await page.click('button.language-switch[value="en"]');
      await page.waitForSelector('html[lang="en"]');
      expect(await page.inputValue('#field-phone_number')).toBe('021 123 4567');
      expect(await page.inputValue('#field-email')).toBe('aroha@example.com');
      await checkPage(page, 'profile-switched-no-errors');
      await page.click('button.primary');
      await page.waitForURL(`${suite.live.tenantOrigin}/**`);
      expect(suite.live.fixture.simulator.outcomes[0]).toMatchObject({
        kind: 'success',
        claims: { email: 'aroha@example.com', phone_number: '0211234567', birthdate: '1990-03-27', region: 'north' },
      });
      expect(problems).toEqual([]);
    },
  );

  it('explains an interaction that took too long, and every kind of bad link', async () => {
    tab = await suite.open();
    const { page } = tab;
    const journey = await startFromTenant(page, suite.live);
    suite.live.fixture.clock.advance(21 * 60);
    const expired = await page.goto(journey);
    expect(expired?.status()).toBe(410);
    expect(await page.textContent('h1')).toBe('This took too long');
    expect(await page.textContent('main')).toContain('Go back to your wallet and start again');
    await checkPage(page, 'interaction-expired');

    const old = await suite.live.fixture.mint({ lifetimeSeconds: 60 });
    suite.live.fixture.clock.advance(600);
    const pages: Array<[string, string, number, string]> = [
      ['link-expired', `/callback?session_token=${old.token}`, 401, 'This link has expired'],
      ['link-invalid', '/callback?session_token=not.a.token', 400, 'We could not check this link'],
      ['open-from-wallet', '/callback', 400, 'Open this page from your wallet'],
      ['not-found', '/nothing-here', 404, 'Page not found'],
      // This browser has a journey under way (the arrival below): the page leads on to it.
      ['interaction-not-found', '/interaction/000000000000AAAAAAAAAAAAAAAAAAAAAA', 404, 'This page has expired'],
    ];
    const fresh = await suite.live.fixture.mint();
    await page.goto(`${suite.live.hookOrigin}/callback?session_token=${fresh.token}`);
    pages.push(['link-used', `/callback?session_token=${fresh.token}`, 409, 'This link has already been used']);
    for (const [name, target, status, title] of pages) {
      const response = await page.goto(`${suite.live.hookOrigin}${target}`);
      expect(response?.status(), name).toBe(status);
      expect(await page.textContent('h1'), name).toBe(title);
      expect(await page.textContent('.reference'), name).toMatch(
        /^Support reference: [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/,
      );
      // One line on the phone: the paragraph is no taller than the reference itself.
      const paragraph = await page.locator('p.reference').boundingBox();
      const reference = await page.locator('.reference-id').boundingBox();
      expect(paragraph?.height, name).toBeLessThan((reference?.height ?? 0) * 1.5);
      await checkPage(page, name);
    }
  });

  it('says what to do when the form is stale or the server cannot save', async () => {
    tab = await suite.open();
    const { page } = tab;
    await startFromTenant(page, suite.live);
    await page.evaluate("document.querySelector('input[name=_csrf]').value = 'forged'");
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    expect(await page.textContent('h1')).toBe('This form has expired');
    await checkPage(page, 'form-expired');
    // "Try again" shows the step once more, with a fresh form.
    await page.click('a.button-link');
    expect(await page.textContent('h1')).toBe('Terms of use');

    // The ledger write fails (a full disk, a lost database): nothing may be sent to the tenant.
    // The decision commits with the session: a store that cannot write stands for the lost disk.
    const store = suite.live.fixture.storage.sessions;
    const set = store.set.bind(store);
    store.set = (_sid, _data, callback) => callback?.(new Error('disk full'));
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    expect(await page.textContent('h1')).toBe('Please try again');
    await checkPage(page, 'try-again');
    expect(suite.live.fixture.simulator.outcomes).toEqual([]);
    // Once the ledger answers again, the same journey goes on.
    store.set = set;
    await page.click('a.button-link');
    await acceptTerms(page);
    expect(await page.textContent('.progress')).toBe('Step 2 of 2');
  });

  it('works with JavaScript turned off', async () => {
    tab = await suite.open({ javaScriptEnabled: false });
    const { page } = tab;
    await startFromTenant(page, suite.live, { email: 'aroha@example.com' });
    await page.click('a[hreflang="fr"]');
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    await page.click('button[value="accept"]');
    expect(await page.textContent('.error-summary h2')).toBe('Un problème est survenu');
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('#field-email');
    await fillDate(page, 'field-birthdate', '1990-03-27');
    await page.click('button.primary');
    expect(await page.textContent('#field-region-error')).toBe('Choisissez une option pour «\u00a0Région\u00a0».');
    await page.selectOption('#field-region', 'east');
    await page.click('button.primary');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(suite.live.fixture.simulator.outcomes[0]).toMatchObject({
      kind: 'success',
      claims: { email: 'aroha@example.com', birthdate: '1990-03-27', region: 'east' },
    });
  });

  it('sends a double-tapped button once, so the way back to the wallet is not lost', async () => {
    tab = await suite.open();
    const { page } = tab;
    await startFromTenant(page, suite.live, { email: 'aroha@example.com' });
    await acceptTerms(page);
    await fillDate(page, 'field-birthdate', '1990-03-27');
    await page.selectOption('#field-region', 'west');
    suite.live.posts.length = 0;
    suite.live.delayPosts(400);
    // A second tap while the first answer is still on its way: raw mouse input, which (unlike
    // page.click) does not wait for the page to settle in between.
    await page.locator('button.primary').scrollIntoViewIfNeeded();
    const box = (await page.locator('button.primary').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(suite.live.posts).toHaveLength(1);
    expect(await page.textContent('h1')).toBe('Credential would be issued');
  });

  it('can be used with the keyboard alone, with a visible focus ring', async () => {
    tab = await suite.open();
    const { page } = tab;
    await startFromTenant(page, suite.live);
    const ring =
      "(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth; })()";
    const order: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(
          "document.activeElement.getAttribute('hreflang') || document.activeElement.id || document.activeElement.value || document.activeElement.className",
        ),
      );
      expect(await page.evaluate(ring)).toBe('solid 3px');
    }
    expect(order).toEqual(['fr', 'terms', 'accept_terms', 'accept', 'decline']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#field-email');
    expect(await page.textContent('h1')).toBe('Tell us a bit more');
  });
});
