import { describe, expect, it } from 'vitest';
import { atStepStart, authenticatorAppConfig, totpCode } from '../support/authenticator-app.js';
import { browserSuite, checkPage, chromiumAvailable, startFromTenant, type Tab } from './support/browser-harness.js';

/**
 * The authenticator-app step in a real Chromium: the QR code drawn under the strict CSP, the key
 * read off the page as a person would type it, codes computed outside the hook; every page checked
 * by axe-core, for horizontal scrolling at 360 px and 200 % zoom, and saved as a screenshot.
 */
describe.skipIf(!chromiumAvailable())('the authenticator-app step in a real browser', () => {
  const suite = browserSuite(authenticatorAppConfig());
  let tab: Tab;

  it('sets the app up from the QR code’s page and its key, shows the recovery codes, then asks for a code', async () => {
    tab = await suite.open();
    const { page } = tab;
    atStepStart(suite.live.fixture.clock);
    await startFromTenant(page, suite.live);
    expect(await page.locator('.qr-code svg').count()).toBe(1);
    const box = await page.locator('.qr-code svg').boundingBox();
    expect(box!.width).toBeGreaterThan(150);
    await checkPage(page, 'authenticator-app-enrol');
    const key = (await page.locator('.secret-key').innerText()).replace(/\s/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);

    await page.fill('#code', totpCode(key, suite.live.fixture.clock.now()));
    await page.press('#code', 'Enter');
    await page.waitForSelector('.recovery-codes');
    expect(await page.locator('.recovery-codes li').count()).toBe(10);
    await checkPage(page, 'authenticator-app-recovery-codes');
    await page.click('button[value="continue"]');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(suite.live.fixture.simulator.outcomes.at(-1)).toMatchObject({ kind: 'success' });

    atStepStart(suite.live.fixture.clock);
    await startFromTenant(page, suite.live);
    expect(await page.locator('.qr-code').count()).toBe(0);
    await checkPage(page, 'authenticator-app-use');
    await page.fill('#code', '000000' === totpCode(key, suite.live.fixture.clock.now()) ? '111111' : '000000');
    await page.press('#code', 'Enter');
    await page.waitForSelector('.error-summary');
    await checkPage(page, 'authenticator-app-wrong-code');
    await page.click('button[value="recovery"]');
    await page.waitForSelector('#recovery-code');
    await checkPage(page, 'authenticator-app-recovery');
    await page.click('button[value="use-code"]');
    await page.fill('#code', totpCode(key, suite.live.fixture.clock.now()));
    await page.press('#code', 'Enter');
    await page.waitForURL(`${suite.live.tenantOrigin}/**`);
    expect(suite.live.fixture.simulator.outcomes.at(-1)).toMatchObject({ kind: 'success' });
    expect(tab.problems).toEqual([]);
  });
});
