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
  startFromTenant,
  type Tab,
} from './support/browser-harness.js';

/**
 * Reload and Back in a real Chromium after each kind of answer (ok, error, cancel, finished): the
 * user always lands on a page of the journey or the tenant, never on "Confirm Form Resubmission"
 * (Chromium's ERR_CACHE_MISS page), and a reload never posts again.
 */
const EXAMPLE = mustLoad(path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'));

describe.skipIf(!chromiumAvailable())('reload and Back in a real browser', () => {
  const suite = browserSuite(EXAMPLE);
  let tab: Tab;

  /** The page is one of the hook's own (an h1 of its own), not the browser's error page. */
  async function heading(page: Page): Promise<string> {
    return (await page.textContent('h1'))?.trim() ?? '';
  }

  it('after an error: reload and Back ask for the step page again, never to resend the form', async () => {
    tab = await suite.open();
    const { page } = tab;
    const journey = await startFromTenant(page, suite.live);
    await page.click('button[value="accept"]');
    expect(await page.textContent('.error-summary h2')).toBe('There is a problem');
    const posted = suite.live.posts.length;

    await page.reload();
    expect(page.url()).toBe(journey);
    expect(await heading(page)).toBe('Terms of use');
    expect(await page.$('.error-summary')).toBeNull();
    expect(suite.live.posts.length).toBe(posted);

    // Error, then the right answer, then Back: the step pages again, each a GET.
    await page.click('button[value="accept"]');
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('#field-email');
    const afterOk = suite.live.posts.length;
    // Back past the error page and the first page: the journey's page, which shows the step it
    // stands at now (the profile), each time a GET.
    await page.goBack();
    expect(page.url()).toBe(journey);
    expect(await heading(page)).toBe('Tell us a bit more');
    await page.goBack();
    expect(await heading(page)).toBe('Tell us a bit more');
    expect(suite.live.posts.length).toBe(afterOk);
    await page.goForward();
    await page.goForward();
    expect(await page.$('#field-email')).not.toBeNull();
    await page.reload();
    expect(await page.$('#field-email')).not.toBeNull();
    expect(suite.live.posts.length).toBe(afterOk);
    // Quick Back and Forward cancel the image loads of the page being left: those are not problems.
    expect(tab.problems.filter((p) => !/^failed \S+\/static\//.test(p))).toEqual([]);
  });

  it.each(['accept', 'decline'] as const)(
    'after finishing (%s): Back and reload show "you have finished here" with the same way back, then how it ended',
    { timeout: 60_000 },
    async (finish) => {
      {
        tab = await suite.open();
        const { page } = tab;
        const journey = await startFromTenant(page, suite.live);
        if (finish === 'accept') {
          await page.check('#accept_terms');
          await page.click('button[value="accept"]');
          await page.waitForSelector('#field-email');
          await page.fill('#field-email', 'aroha@example.com');
          await page.fill('#field-phone_number', '021 123 4567');
          await fillDate(page, 'field-birthdate', '1990-03-27');
          await page.selectOption('#field-region', 'south');
          await page.click('button.primary');
        } else {
          await page.click('button[value="decline"]');
        }
        await page.waitForURL(`${suite.live.tenantOrigin}/**`);
        const wayBack = page.url();
        const outcomes = suite.live.fixture.simulator.outcomes.length;
        const posted = suite.live.posts.length;

        await page.goBack();
        expect(page.url()).toBe(journey);
        expect(await heading(page)).toBe('You have finished here');
        expect(await page.getAttribute('#return-to-wallet', 'href')).toBe(wayBack);
        await checkPage(page, `finished-${finish}`);
        await page.reload();
        expect(await heading(page)).toBe('You have finished here');
        expect(suite.live.posts.length).toBe(posted);
        // The button carries the same token: the tenant sees it again, no second one is made.
        await page.click('#return-to-wallet');
        await page.waitForURL(`${suite.live.tenantOrigin}/**`);
        expect(page.url()).toBe(wayBack);
        expect(suite.live.fixture.simulator.outcomes.length).toBeGreaterThanOrEqual(outcomes);

        suite.live.fixture.clock.advance(61);
        await page.goBack();
        expect(await heading(page)).toBe(finish === 'accept' ? 'Already completed' : 'You declined');
        expect(tab.problems).toEqual([]);
      }
    },
  );
});
