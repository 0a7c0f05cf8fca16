import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import { atStepStart, authenticatorAppConfig } from '../support/authenticator-app.js';
import { codeIn, emailCodeConfig, otherThan } from '../support/email-code.js';
import {
  browserSuite,
  chromiumAvailable,
  expectBackAndForward,
  expectFinishedOnBack,
  headingAfter,
  startFromTenant,
} from './support/browser-harness.js';

/**
 * Reload and Back in a real Chromium on every page of the steps that ask for a code, after each
 * kind of answer (ok, error, decline, finished): always a page of the journey (never "Confirm Form
 * Resubmission" or an unrelated error), nothing posted again, and no second mail.
 */
const ADDRESS = 'aroha@example.org';

describe.skipIf(!chromiumAvailable())('reload and Back on the email-code pages', () => {
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox();
  });
  afterAll(async () => {
    await mailbox?.close();
  });
  const suite = browserSuite(() => emailCodeConfig({ afterTerms: true, smtpUrl: mailbox.smtpUrl }));

  let before = 0;
  /** The mails this test sent. */
  const mails = () => mailbox.messages.slice(before);

  async function onCodeStep(page: Page): Promise<void> {
    before = mailbox.messages.length;
    await startFromTenant(page, suite.live, { email: ADDRESS });
    await page.check('#accept_terms');
    await page.click('button[value="accept"]');
    await page.waitForSelector('button[value="send"]');
  }

  it(
    'reloads and goes Back after sending, a wrong code and the right one, and mails once per "send"',
    { timeout: 60_000 },
    async () => {
      const { page, problems } = await suite.open();
      await onCodeStep(page);
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm your email address');
      expect(mails()).toHaveLength(0);

      await page.click('button[value="send"]');
      await page.waitForSelector('#code');
      expect(mails()).toHaveLength(1);
      // A reload within the wait, and after it: the same page, no second mail and no error.
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm your email address');
      suite.live.fixture.clock.advance(31);
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm your email address');
      expect(await page.$('.error-summary')).toBeNull();
      await expectBackAndForward(page, suite.live, 'Confirm your email address');
      expect(await page.$('#code')).not.toBeNull();
      expect(mails()).toHaveLength(1);

      const code = codeIn(mails()[0]);
      await page.fill('#code', otherThan(code));
      await page.click('button[value="verify"]');
      await page.waitForSelector('.error-summary');
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm your email address');
      expect(await page.$('#code')).not.toBeNull();
      await expectBackAndForward(page, suite.live, 'Confirm your email address');
      expect(mails()).toHaveLength(1);

      await page.fill('#code', code);
      await page.click('button[value="verify"]');
      await expectFinishedOnBack(page, suite.live);
      expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'success' }]);
      expect(mails()).toHaveLength(1);
      expect(problems.filter((p) => !/^failed \S+\/static\//.test(p))).toEqual([]);
    },
  );

  it('after "I can’t get the code": Back and reload say it is finished, and send nothing', async () => {
    const { page, problems } = await suite.open();
    await onCodeStep(page);
    await page.click('button[value="send"]');
    await page.waitForSelector('#code');
    await page.click('button[value="decline"]');
    await expectFinishedOnBack(page, suite.live);
    expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'failure' }]);
    expect(mails()).toHaveLength(1);
    expect(problems).toEqual([]);
  });
});

describe.skipIf(!chromiumAvailable())('reload and Back on the authenticator-app pages', () => {
  const suite = browserSuite(authenticatorAppConfig());

  /** The current code for the key the page shows, as an authenticator app computes it. */
  const codeFor = (key: string) =>
    new TOTP({ secret: Secret.fromBase32(key) }).generate({ timestamp: suite.live.fixture.clock.now().getTime() });

  it(
    'reloads and goes Back on the set-up page, after a wrong code, on the recovery codes and once finished',
    { timeout: 60_000 },
    async () => {
      const { page, problems } = await suite.open();
      atStepStart(suite.live.fixture.clock);
      await startFromTenant(page, suite.live);
      const key = (await page.locator('.secret-key').innerText()).replace(/\s/g, '');
      // A reload shows the same key: the app set up from it goes on working.
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm it is you with an authenticator app');
      expect((await page.locator('.secret-key').innerText()).replace(/\s/g, '')).toBe(key);

      await page.fill('#code', codeFor(key) === '000000' ? '111111' : '000000');
      await page.click('button[value="verify"]');
      await page.waitForSelector('.error-summary');
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm it is you with an authenticator app');
      expect((await page.locator('.secret-key').innerText()).replace(/\s/g, '')).toBe(key);
      await expectBackAndForward(page, suite.live, 'Confirm it is you with an authenticator app');

      await page.fill('#code', codeFor(key));
      await page.click('button[value="verify"]');
      await page.waitForSelector('.recovery-codes');
      const codes = await page.locator('.recovery-codes').innerText();
      await expectBackAndForward(page, suite.live, 'Confirm it is you with an authenticator app');
      expect(await headingAfter(page, () => page.reload())).toBe('Confirm it is you with an authenticator app');
      expect(await page.locator('.recovery-codes').innerText()).toBe(codes);

      await page.click('button[value="continue"]');
      await expectFinishedOnBack(page, suite.live);
      expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'success' }]);
      expect(problems.filter((p) => !/^failed \S+\/static\//.test(p))).toEqual([]);
    },
  );

  it('after Decline on the code page: Back and reload say it is finished', async () => {
    const { page, problems } = await suite.open();
    await startFromTenant(page, suite.live);
    await page.click('button[value="decline"]');
    await expectFinishedOnBack(page, suite.live);
    expect(suite.live.fixture.simulator.outcomes).toMatchObject([{ kind: 'failure' }]);
    expect(problems).toEqual([]);
  });
});
