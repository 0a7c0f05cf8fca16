import path from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG } from '../../src/config/hook-config.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import { ADDRESS, arriveWith, confirmEmailCode, tenantGot } from '../support/email-code.js';
import { hookFixture, mustLoad, type HookFixture } from '../support/hook-fixture.js';
import { atStepStart, keyOnPage, postApp, recoveryCodesOnPage, totpCode } from '../support/authenticator-app.js';

/** The shipped example and the simulator's demo authenticator: what a newcomer walks in `npm run demo`. */
const EXAMPLE = mustLoad(
  path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-email-code-authenticator-app.config.json'),
);

let hook: HookFixture;
let mailbox: Mailbox;
beforeEach(async () => {
  mailbox = await startMailbox();
});
afterEach(async () => {
  await hook.close();
  await mailbox.close();
});

/** What the demo authenticator shows for `key`. */
async function demoCode(key: string): Promise<string> {
  const res = await request(hook.simulator.app)
    .post('/demo/authenticator')
    .type('form')
    .send({ key, digits: '6', period: '30' });
  expect(res.status).toBe(200);
  const match = /<strong>(\d{6})<\/strong>/.exec(res.text);
  if (!match) throw new Error('no code on the demo authenticator');
  return match[1]!;
}

describe('the authenticator-app example in the demo', () => {
  it('sets the app up after the terms and an emailed code, with codes from the demo authenticator', async () => {
    expect(EXAMPLE.steps.map((s) => s.type)).toEqual(['terms', 'email-code', 'authenticator-app']);
    expect(EXAMPLE.steps[2]?.config).toMatchObject({ issuerLabel: 'Example Issuer', enrol: 'after-verification' });
    // SMTP_URL and MAIL_FROM as the demo sets them, read by each step type as start-up does.
    const env = { SMTP_URL: mailbox.smtpUrl, MAIL_FROM: 'Example Issuer <no-reply@issuer.example>' };
    const steps = EXAMPLE.steps.map((step) => {
      const read = step.withEnvironment(env);
      if (!read.ok) throw new Error(read.problems.join('; '));
      return read.step;
    });
    hook = await hookFixture({ LEDGER_SUBJECT_CLAIM: 'email' }, { ...EXAMPLE, steps });

    atStepStart(hook.clock);
    const journey = await arriveWith(hook, { email: ADDRESS, given_name: 'Aroha' });
    const terms = await journey.browser
      .post(journey.path)
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(journey.page.text)![1],
        step: 'terms',
        accept_terms: 'yes',
        decision: 'accept',
      });
    expect(terms.status).toBe(303);
    const codePage = await journey.browser.get(journey.path);
    const confirmed = await confirmEmailCode({ ...journey, page: codePage }, mailbox);
    const appPage = await journey.browser.get(confirmed.headers.location!);
    expect(appPage.text).toContain('Step 3 of 3');
    const key = keyOnPage(appPage.text);

    const code = await demoCode(key);
    expect(code).toBe(totpCode(key, hook.clock.now()));
    const codes = await postApp({ ...journey, page: appPage }, { decision: 'verify', code });
    expect(recoveryCodesOnPage(codes.text)).toHaveLength(10);
    expect(mailbox.messages.at(-1)!.subject).toBe('An authenticator app was added for Example Issuer');
    expect(await tenantGot(hook, await postApp({ ...journey, page: codes }, { decision: 'continue' }))).toMatchObject({
      kind: 'success',
      claims: {},
    });
  });

  it('the demo authenticator refuses what is not a key, and says so', async () => {
    hook = await hookFixture();
    const start = await request(hook.simulator.app).get('/');
    expect(start.text).toContain('<a href="/demo/authenticator">demo authenticator</a>');
    expect((await request(hook.simulator.app).get('/demo/authenticator')).text).toContain('<input id="key" name="key"');
    const refused = await request(hook.simulator.app)
      .post('/demo/authenticator')
      .type('form')
      .send({ key: '<script>' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('That is not a key');
    expect(refused.text).not.toContain('<script>');
  });
});
