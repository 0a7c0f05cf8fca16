import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EMAIL_CODE_DECLINED_MESSAGE,
  EMAIL_NOT_CONFIRMED_MESSAGE,
} from '../../src/interaction/steps/email-code/email-code-step.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import { finishedPageHref, ledgerRows } from '../support/journey.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import {
  ADDRESS,
  alertOf,
  arriveWith,
  codeIn,
  emailCodeConfig,
  otherThan,
  post,
  postOnly,
  tenantGot,
  tenantGotAt,
} from '../support/email-code.js';

let mailbox: Mailbox;
let hook: HookFixture;

async function start(options: Parameters<typeof emailCodeConfig>[0] = {}) {
  hook = await hookFixture({}, emailCodeConfig({ ...options, smtpUrl: mailbox.smtpUrl }));
}

beforeEach(async () => {
  mailbox = await startMailbox();
});
afterEach(async () => {
  await hook.close();
  await mailbox.close();
});

describe('the email-code step', () => {
  it('sends nothing until asked, then mails a code that confirms the address and returns to the tenant', async () => {
    await start();
    const at = await arriveWith(hook);
    expect(at.page.text).toContain('a•••@example.org');
    expect(at.page.text).not.toContain(ADDRESS);
    expect(at.page.text).toMatch(/<button type="submit" name="decision" value="send"/);
    expect(at.page.text).toMatch(/name="decision" value="decline"/);
    // A prefetch and two reloads send nothing.
    for (let i = 0; i < 3; i++) expect((await at.browser.get(at.path)).status).toBe(200);
    expect(mailbox.messages).toHaveLength(0);

    const sent = await post(at, { decision: 'send' });
    expect(sent.status).toBe(200);
    expect(sent.text).toMatch(/role="status">We sent a code to a•••@example.org\. It works for 10 minutes\./);
    expect(sent.text).toMatch(
      /<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code"/,
    );
    expect(sent.text).toMatch(/name="decision" value="verify"/);
    expect(sent.text).toMatch(/name="decision" value="resend"/);
    expect(mailbox.messages).toHaveLength(1);
    const mail = mailbox.messages[0]!;
    expect(mail.to).toEqual([ADDRESS]);
    expect(mail.from).toBe('no-reply@issuer.example');
    const code = codeIn(mail);

    const done = await post({ ...at, page: sent }, { decision: 'verify', code });
    expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success', state: at.state, claims: {} });
    const rows = await ledgerRows(hook);
    expect(rows.map((r) => [r.step, r.decision, r.evidence])).toEqual([
      ['email-code', 'accepted', { method: 'email-code', outcome: 'confirmed', attempts: 1, codesSent: 1 }],
    ]);
    // Neither the code nor the address is kept or logged anywhere.
    for (const text of [JSON.stringify(rows), hook.logs.join('\n')]) {
      expect(text).not.toContain(code);
      expect(text).not.toContain(ADDRESS);
    }
  });

  it('mails a plain-text and an HTML part with the issuer, the code and its lifetime, and no link', async () => {
    await start({ codeTtlSeconds: 900 });
    const at = await arriveWith(hook);
    await post(at, { decision: 'send' });
    const mail = mailbox.messages[0]!;
    expect(mail.parts).toEqual(['text/plain', 'text/html']);
    expect(mail.subject).toBe('Your code for Test Issuer');
    const code = codeIn(mail);
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Test Issuer');
      expect(body).toContain(code);
      expect(body).toContain('15 minutes');
      expect(body.toLowerCase()).not.toContain('http');
      expect(body).not.toMatch(/<a\b|www\./i);
    }
    expect(mail.headers['content-language']).toBe('en');
  });

  it('writes the mail and the page in French when the page is in French', async () => {
    await start();
    const at = await arriveWith(hook);
    // The switch answers with the same page without ?lang; the language is then remembered.
    expect((await at.browser.get(`${at.path}?lang=fr`)).status).toBe(303);
    const french = await at.browser.get(at.path);
    expect(french.text).toContain('Confirmez votre adresse e-mail');
    const sent = await post({ ...at, page: french }, { decision: 'send' });
    expect(sent.text).toContain('Nous avons envoyé un code à a•••@example.org. Il est valable 10 minutes.');
    const mail = mailbox.messages[0]!;
    expect(mail.subject).toBe('Votre code pour Test Issuer');
    expect(mail.text).toContain('Votre code pour Test Issuer est :');
    expect(mail.html).toContain('Il est valable 10 minutes.');
    expect(mail.headers['content-language']).toBe('fr');
  });

  it('answers a wrong code with 422 and the tries left, and still takes the right one', async () => {
    await start();
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    const code = codeIn(mailbox.messages[0]);
    const wrong = await post({ ...at, page }, { decision: 'verify', code: otherThan(code) });
    expect(wrong.status).toBe(422);
    expect(alertOf(wrong)).toContain('That code is not right. You have 4 more tries.');
    expect(wrong.text).toMatch(/aria-invalid="true"/);
    const malformed = await post({ ...at, page }, { decision: 'verify', code: '12ab' });
    expect(malformed.status).toBe(422);
    expect(alertOf(malformed)).toContain('Enter the 6 digits of the code.');
    // Spaces and full-width digits are what a phone may paste.
    const typed = `${code.slice(0, 3)} ${String.fromCharCode(...Array.from(code.slice(3), (d) => 0xff10 + Number(d)))}`;
    const done = await post({ ...at, page }, { decision: 'verify', code: typed });
    expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success' });
    expect((await ledgerRows(hook))[0]!.evidence).toMatchObject({ attempts: 2 });
  });

  it('at the last of maxAttempts wrong codes, across resent codes, ends the journey as failed at once, on a page that says why, with one failure token', async () => {
    await start({ maxAttempts: 3, resendIntervalSeconds: 10 });
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    const first = codeIn(mailbox.messages[0]);
    expect(alertOf(await post({ ...at, page }, { decision: 'verify', code: otherThan(first) }))).toContain(
      '2 more tries',
    );
    hook.clock.advance(10);
    // A new code does not give the tries back.
    expect((await post({ ...at, page }, { decision: 'resend' })).status).toBe(200);
    const second = codeIn(mailbox.messages[1]);
    expect(alertOf(await post({ ...at, page }, { decision: 'verify', code: otherThan(second) }))).toContain(
      'You have 1 more try.',
    );
    // The last wrong code: the failure is recorded now, and the answer goes to a page that says why
    // (post/redirect/get), not straight back to the wallet.
    const lastTry = await postOnly({ ...at, page }, { decision: 'verify', code: otherThan(second) });
    expect(lastTry.status).toBe(303);
    expect(lastTry.headers.location).toBe(at.path);
    expect((await ledgerRows(hook)).map((r) => [r.decision, r.evidence])).toEqual([
      ['failed', { method: 'email-code', outcome: 'too-many-attempts', attempts: 3 }],
    ]);
    const noTries = await at.browser.get(at.path);
    expect(noTries.status).toBe(200);
    expect(noTries.text).toContain('too many wrong codes were entered. No credential will be issued.');
    expect(noTries.text).toContain('Your wallet shows that Test Issuer did not issue it.');
    expect(noTries.text).not.toMatch(/name="code"/);
    const back = finishedPageHref(noTries.text)!;
    expect(await tenantGotAt(hook, back)).toMatchObject({
      kind: 'failure',
      state: at.state,
      message: EMAIL_NOT_CONFIRMED_MESSAGE,
    });
    // A reload shows the same page with the same way back.
    expect(finishedPageHref((await at.browser.get(at.path)).text)).toBe(back);
    // The right code afterwards changes nothing: the same page, the same way back, never a second token.
    const late = await post({ ...at, page }, { decision: 'verify', code: second });
    expect(finishedPageHref(late.text)).toBe(back);
    expect(await ledgerRows(hook)).toHaveLength(1);
  });

  it('says an expired code has expired, without counting it, and a new code works', async () => {
    await start({ codeTtlSeconds: 120 });
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    const old = codeIn(mailbox.messages[0]);
    hook.clock.advance(121);
    const expired = await post({ ...at, page }, { decision: 'verify', code: old });
    expect(expired.status).toBe(422);
    expect(alertOf(expired)).toContain('This code has expired. Send a new one.');
    await post({ ...at, page }, { decision: 'resend' });
    const done = await post({ ...at, page }, { decision: 'verify', code: codeIn(mailbox.messages[1]) });
    expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success' });
    expect((await ledgerRows(hook))[0]!.evidence).toMatchObject({ attempts: 1, codesSent: 2 });
  });

  it('sends no second code sooner than resendIntervalSeconds, says when, and replaces the code once it does', async () => {
    await start({ resendIntervalSeconds: 30 });
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    hook.clock.advance(12);
    const flood = await Promise.all([1, 2, 3].map(() => post({ ...at, page }, { decision: 'resend' })));
    for (const res of flood) expect(res.status).toBe(429);
    // A notice of when, not an error of the user's: no "There is a problem" summary.
    expect(flood[0]!.text).toMatch(
      /role="status">We just sent a code: check your email\. You can ask for a new one in 18 seconds\./,
    );
    expect(alertOf(flood[0]!)).toBe('');
    expect(flood[0]!.text).not.toContain('There is a problem');
    expect(mailbox.messages).toHaveLength(1);
    const first = codeIn(mailbox.messages[0]);
    hook.clock.advance(18);
    expect((await post({ ...at, page }, { decision: 'resend' })).status).toBe(200);
    expect(mailbox.messages).toHaveLength(2);
    const second = codeIn(mailbox.messages[1]);
    // The old code no longer works (unless the new one happens to be the same six digits).
    if (first !== second)
      expect(alertOf(await post({ ...at, page }, { decision: 'verify', code: first }))).toContain('not right');
    expect(await tenantGot(hook, await post({ ...at, page }, { decision: 'verify', code: second }))).toMatchObject({
      kind: 'success',
    });
  });

  it('sends no more than maxSends codes in a journey, and the last one sent still works', async () => {
    await start({ maxSends: 2, resendIntervalSeconds: 10 });
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    hook.clock.advance(10);
    expect((await post({ ...at, page }, { decision: 'resend' })).status).toBe(200);
    hook.clock.advance(60);
    const refused = await post({ ...at, page }, { decision: 'resend' });
    expect(refused.status).toBe(429);
    expect(alertOf(refused)).toContain('We cannot send more codes in this journey.');
    expect(mailbox.messages).toHaveLength(2);
    const done = await post({ ...at, page }, { decision: 'verify', code: codeIn(mailbox.messages[1]) });
    expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success' });
    expect((await ledgerRows(hook))[0]!.evidence).toMatchObject({ outcome: 'confirmed', codesSent: 2 });
  });

  it('binds a code to its journey: another journey’s code is wrong here', async () => {
    await start();
    const one = await arriveWith(hook);
    const two = await arriveWith(hook);
    const pageOne = await post(one, { decision: 'send' });
    await post(two, { decision: 'send' });
    const codeTwo = codeIn(mailbox.messages[1]);
    if (codeTwo === codeIn(mailbox.messages[0])) return; // one in a million: nothing to tell apart
    const wrong = await post({ ...one, page: pageOne }, { decision: 'verify', code: codeTwo });
    expect(wrong.status).toBe(422);
    expect(alertOf(wrong)).toContain('not right');
  });

  it('repeats the same way back to a double submit of the right code', async () => {
    await start();
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    const code = codeIn(mailbox.messages[0]);
    const first = await post({ ...at, page }, { decision: 'verify', code });
    const again = await post({ ...at, page }, { decision: 'verify', code });
    expect(again.headers.location).toBe(first.headers.location);
    expect(await ledgerRows(hook)).toHaveLength(1);
  });

  it('takes a code sent before a restart: the hash key is the same in every process', async () => {
    await start();
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    await hook.restart();
    const done = await post({ ...at, page }, { decision: 'verify', code: codeIn(mailbox.messages[0]) });
    expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success', state: at.state });
  });

  it('lets the user say they cannot get the code: declined, with its own message', async () => {
    await start();
    const at = await arriveWith(hook);
    const res = await post(at, { decision: 'decline' });
    expect(await tenantGot(hook, res)).toMatchObject({ kind: 'failure', message: EMAIL_CODE_DECLINED_MESSAGE });
    expect((await ledgerRows(hook)).map((r) => [r.decision, r.evidence])).toEqual([
      ['declined', { method: 'email-code', outcome: 'declined' }],
    ]);
  });

  it('goes on to the next step after a confirmed code', async () => {
    await start({ beforeTerms: true });
    const at = await arriveWith(hook);
    const page = await post(at, { decision: 'send' });
    expect(page.text).toContain('>Confirm</button>');
    const res = await postOnly({ ...at, page }, { decision: 'verify', code: codeIn(mailbox.messages[0]) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(at.path);
    expect((await at.browser.get(at.path)).text).toContain('Terms of use');
  });

  it('answers "Send me a code" with a 303 to the step page (post/redirect/get): the page shows the notice once, and a reload sends nothing', async () => {
    await start();
    const at = await arriveWith(hook);
    const sent = await postOnly(at, { decision: 'send' });
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(at.path);
    expect(mailbox.messages).toHaveLength(1);
    const page = await at.browser.get(at.path);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/name="decision" value="verify"/);
    expect(page.text).toContain('We sent a code');
    // A reload (or Back to this page): the code-entry stage again, without the notice, and no mail.
    const reload = await at.browser.get(at.path);
    expect(reload.status).toBe(200);
    expect(reload.text).toMatch(/name="decision" value="verify"/);
    expect(reload.text).not.toContain('We sent a code');
    expect(mailbox.messages).toHaveLength(1);
  });
});
