import { afterEach, describe, expect, it } from 'vitest';
import { NO_EMAIL_ADDRESS_MESSAGE } from '../../src/interaction/steps/email-code/email-code-step.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import { ledgerRows } from '../support/journey.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { ADDRESS, alertOf, arriveWith, codeIn, emailCodeConfig, post, tenantGot } from '../support/email-code.js';

let mailbox: Mailbox | undefined;
let hook: HookFixture | undefined;

afterEach(async () => {
  await hook?.close();
  await mailbox?.close();
  hook = mailbox = undefined;
});

async function start(smtpUrl?: string): Promise<HookFixture> {
  mailbox ??= await startMailbox();
  hook = await hookFixture({}, emailCodeConfig({ smtpUrl: smtpUrl ?? mailbox.smtpUrl }));
  return hook;
}

describe('an email claim missing or not an address', () => {
  const broken: Array<[string, Record<string, unknown>]> = [
    ['missing', { given_name: 'Aroha' }],
    ['empty', { email: '' }],
    ['not an address', { email: 'aroha at example.org' }],
    ['a number', { email: 42 }],
    ['a list', { email: ['a@example.org'] }],
    ['a header in disguise', { email: 'a@example.org\r\nBcc: everyone@example.org' }],
    ['too long', { email: `${'a'.repeat(250)}@example.org` }],
  ];
  for (const [what, claims] of broken) {
    it(`says so on the page and fails the journey to the tenant, sending nothing: ${what}`, async () => {
      const hook = await start();
      const at = await arriveWith(hook, claims);
      expect(at.page.text).toContain('We have no email address for you that we can send a code to');
      expect(at.page.text).not.toMatch(/value="send"|name="code"/);
      const res = await post(at, { decision: 'send' });
      expect(await tenantGot(hook, res)).toMatchObject({
        kind: 'failure',
        state: at.state,
        message: NO_EMAIL_ADDRESS_MESSAGE,
      });
      expect((await ledgerRows(hook)).map((r) => [r.decision, r.evidence])).toEqual([
        ['failed', { method: 'email-code', outcome: 'no-address' }],
      ]);
      expect(mailbox!.messages).toHaveLength(0);
    });
  }
});

describe('a mail server that says no', () => {
  for (const refusal of ['recipient', 'message'] as const) {
    it(`answers a permanent refusal (${refusal}) with 422 and a way out, counting nothing as sent`, async () => {
      const hook = await start();
      mailbox!.refuse = refusal;
      const at = await arriveWith(hook);
      const refused = await post(at, { decision: 'send' });
      expect(refused.status).toBe(422);
      expect(alertOf(refused)).toContain('We could not send a code to this address.');
      expect(refused.text).toMatch(/value="decline"/);
      expect(await ledgerRows(hook)).toHaveLength(0);
      // Not counted as sent: the next try goes at once, with no wait for the resend interval.
      mailbox!.refuse = null;
      const sent = await post({ ...at, page: refused }, { decision: 'send' });
      expect(sent.status).toBe(200);
      const done = await post({ ...at, page: sent }, { decision: 'verify', code: codeIn(mailbox!.messages[0]) });
      expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success' });
      expect((await ledgerRows(hook))[0]!.evidence).toMatchObject({ codesSent: 1 });
    });
  }

  it('answers a temporary refusal (451) with the 503 "try again" page, nothing spent', async () => {
    const hook = await start();
    mailbox!.refuse = 'busy';
    const at = await arriveWith(hook);
    const res = await post(at, { decision: 'send' });
    expect(res.status).toBe(503);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('Please try again');
    expect(await ledgerRows(hook)).toHaveLength(0);
    mailbox!.refuse = null;
    expect((await post(at, { decision: 'send' })).status).toBe(200);
  });
});

describe('a mail server that is away', () => {
  it('shows the 503 "try again" page, spends nothing, and sends at once when the server is back', async () => {
    const away = await startMailbox();
    const { port, smtpUrl } = away;
    await away.close();
    const hook = await start(smtpUrl);
    const at = await arriveWith(hook);
    const res = await post(at, { decision: 'send' });
    expect(res.status).toBe(503);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('A service this step needs is not answering just now.');
    expect(res.text).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect(await ledgerRows(hook)).toHaveLength(0);
    // The page still shows the step, as before; nothing was recorded as sent.
    expect((await at.browser.get(at.path)).text).toMatch(/value="send"/);
    mailbox = await startMailbox({ port });
    const sent = await post(at, { decision: 'send' });
    expect(sent.status).toBe(200);
    expect(mailbox.messages).toHaveLength(1);
    const logs = hook.logs.join('\n');
    expect(logs).toContain('email code not sent');
    expect(logs).not.toContain(ADDRESS);
    expect(logs).not.toContain(codeIn(mailbox.messages[0]));
  });

  it('is unavailable, not broken, when the hook was started without mail settings', async () => {
    hook = await hookFixture({}, emailCodeConfig());
    const at = await arriveWith(hook);
    expect((await post(at, { decision: 'send' })).status).toBe(503);
  });
});
