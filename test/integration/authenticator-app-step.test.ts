import { afterEach, describe, expect, it } from 'vitest';
import {
  AUTHENTICATOR_APP_DECLINED_MESSAGE,
  AUTHENTICATOR_APP_FAILED_MESSAGE,
  AUTHENTICATOR_APP_NEEDS_VERIFICATION_MESSAGE,
  AUTHENTICATOR_APP_NO_SUBJECT_MESSAGE,
  AUTHENTICATOR_APP_NOT_ENROLLED_MESSAGE,
  AUTHENTICATOR_APP_UNREADABLE_MESSAGE,
} from '../../src/interaction/steps/authenticator-app/authenticator-app-step.js';
import { SecretBox } from '../../src/interaction/steps/authenticator-app/secret-box.js';
import { alertOf, tenantGot, tenantGotAt } from '../support/email-code.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { finishedPageHref, ledgerRows } from '../support/journey.js';
import {
  arriveAs,
  atStepStart,
  authenticatorAppConfig,
  enrolApp,
  keyOnPage,
  postApp,
  recoveryCodesOnPage,
  totpCode,
} from '../support/authenticator-app.js';

/** The authenticator-app step, driven with codes computed outside the hook from the key on its page. */
let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

const PERIOD_MS = 30_000;
const at = (offsetSteps: number) => new Date(hook.clock.now().getTime() + offsetSteps * PERIOD_MS);

describe('the authenticator-app step', () => {
  it('enrols on a first journey: a QR code and the key in groups of four, a first code confirms, ten recovery codes once', async () => {
    hook = await hookFixture({}, authenticatorAppConfig());
    atStepStart(hook.clock);
    const first = await arriveAs(hook);
    const page = first.page.text;
    expect(page).toMatch(
      /<div class="qr-code" role="img" aria-label="QR code that adds Test Issuer to your authenticator app"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(page).toMatch(/<input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code"/);
    expect(page).toMatch(/<button type="submit" name="decision" value="verify" class="primary">/);
    expect(page).toMatch(/name="decision" value="decline"/);
    const key = keyOnPage(page);
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    // A reload offers the same key: the one already scanned keeps working.
    expect(keyOnPage((await first.browser.get(first.path)).text)).toBe(key);
    // The strict policy stands: the QR code is markup, not a script, a style or an image from elsewhere.
    const csp = String(first.page.headers['content-security-policy']);
    expect(csp).toContain("img-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|data:/);

    const confirmed = await postApp(first, { decision: 'verify', code: totpCode(key, hook.clock.now()) });
    expect(confirmed.status).toBe(200);
    const codes = recoveryCodesOnPage(confirmed.text);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect(confirmed.text).not.toContain(key);
    expect(confirmed.text).toMatch(/name="decision" value="continue"/);
    expect(confirmed.text).toMatch(/name="decision" value="decline"/);
    // A reload before going on shows the same codes; nothing else of the enrolment.
    expect(recoveryCodesOnPage((await first.browser.get(first.path)).text)).toEqual(codes);

    const done = await postApp({ ...first, page: confirmed }, { decision: 'continue' });
    expect(await tenantGot(hook, done)).toMatchObject({ kind: 'success', state: first.state, claims: {} });
    const rows = await ledgerRows(hook);
    expect(rows.map((r) => [r.step, r.decision, r.subject, r.evidence])).toEqual([
      ['authenticator-app', 'accepted', 'subject-1', { method: 'authenticator-app', outcome: 'enrolled' }],
    ]);

    // Later journeys ask for a code only: no key, no QR code, no recovery codes.
    atStepStart(hook.clock);
    const later = await arriveAs(hook);
    expect(later.page.text).toContain('Enter the code your authenticator app shows for Test Issuer.');
    expect(later.page.text).not.toContain(key);
    expect(later.page.text).not.toContain('<svg');
    expect(recoveryCodesOnPage(later.page.text)).toEqual([]);
    expect(later.page.text).toMatch(/name="decision" value="recovery"[^>]*>Use a recovery code</);
    const used = await postApp(later, { decision: 'verify', code: totpCode(key, hook.clock.now()) });
    expect(await tenantGot(hook, used)).toMatchObject({ kind: 'success', state: later.state });
    expect((await ledgerRows(hook))[1]!.evidence).toEqual({
      method: 'authenticator-app',
      outcome: 'code',
      attempts: 1,
    });

    // Neither the key nor a code nor a recovery code is in the ledger or the logs.
    for (const text of [JSON.stringify(await ledgerRows(hook)), hook.logs.join('\n')]) {
      expect(text).not.toContain(key);
      for (const code of codes) expect(text).not.toContain(code);
    }
  });

  it('refuses a wrong, an expired and a future code, and accepts one a step away (the window)', async () => {
    hook = await hookFixture({}, authenticatorAppConfig({ maxAttempts: 10 }));
    const { key } = await enrolApp(hook);
    const later = await arriveAs(hook);
    const wrong = await postApp(later, {
      decision: 'verify',
      code: String((Number(totpCode(key, at(0))) + 1) % 1_000_000).padStart(6, '0'),
    });
    expect(wrong.status).toBe(422);
    expect(alertOf(wrong)).toContain('That code is not right. You have 9 more tries.');
    for (const [steps, left] of [
      [-3, 8],
      [-2, 7],
      [3, 6],
      [2, 5],
    ] as const) {
      const refused = await postApp(later, { decision: 'verify', code: totpCode(key, at(steps)) });
      expect(refused.status, `a code ${steps} steps away`).toBe(422);
      expect(alertOf(refused)).toContain(`You have ${left} more tries.`);
    }
    // The step before now was the enrolment's (spent); the one after is within the window.
    const ahead = await postApp(later, { decision: 'verify', code: totpCode(key, at(1)) });
    expect(await tenantGot(hook, ahead)).toMatchObject({ kind: 'success' });
    expect((await ledgerRows(hook)).at(-1)!.evidence).toMatchObject({ outcome: 'code', attempts: 6 });
  });

  it('accepts a code once per subject and time step: the same code is refused in another journey', async () => {
    hook = await hookFixture({}, authenticatorAppConfig());
    const { key } = await enrolApp(hook);
    const code = totpCode(key, hook.clock.now());
    const first = await arriveAs(hook);
    expect((await tenantGot(hook, await postApp(first, { decision: 'verify', code }))).kind).toBe('success');
    const second = await arriveAs(hook);
    const replayed = await postApp(second, { decision: 'verify', code });
    expect(replayed.status).toBe(422);
    expect(alertOf(replayed)).toContain(
      'That code was used already. Wait for the app to show a new one, then enter it.',
    );
    expect(hook.logs.join('\n')).toContain('"event":"authenticator_app_code_replayed"');
    // The next time step's code works.
    atStepStart(hook.clock);
    expect(
      (await tenantGot(hook, await postApp(second, { decision: 'verify', code: totpCode(key, hook.clock.now()) })))
        .kind,
    ).toBe('success');
  });

  it('ends the journey as failed at the last of maxAttempts wrong codes, on a page that says why, and checks no code after them', async () => {
    hook = await hookFixture({}, authenticatorAppConfig({ maxAttempts: 3 }));
    const { key } = await enrolApp(hook);
    const later = await arriveAs(hook);
    const wrong = String((Number(totpCode(key, at(0))) + 500_000) % 1_000_000).padStart(6, '0');
    expect(alertOf(await postApp(later, { decision: 'verify', code: wrong }))).toContain('You have 2 more tries.');
    expect(alertOf(await postApp(later, { decision: 'verify', code: wrong }))).toContain('You have 1 more try.');
    // The last wrong code: a 303 to the journey's page, which says why; its button is the way back.
    const failed = await postApp(later, { decision: 'verify', code: wrong });
    expect((await ledgerRows(hook)).at(-1)).toMatchObject({
      decision: 'failed',
      evidence: { method: 'authenticator-app', outcome: 'too-many-attempts', attempts: 3 },
    });
    expect(failed.status).toBe(200);
    expect(failed.text).toContain('too many wrong codes were entered. No credential will be issued.');
    const back = finishedPageHref(failed.text)!;
    expect(await tenantGotAt(hook, back)).toMatchObject({
      kind: 'failure',
      state: later.state,
      message: AUTHENTICATOR_APP_FAILED_MESSAGE,
    });
    // In French too.
    const french = await later.browser.get(later.path).set('Accept-Language', 'fr');
    expect(french.text).toContain('Aucune attestation ne sera délivrée.');
    // The right code now changes nothing: the journey is over, the same page and way back.
    const after = await postApp(later, { decision: 'verify', code: totpCode(key, hook.clock.now()) });
    expect(finishedPageHref(after.text)).toBe(back);
    expect((await ledgerRows(hook)).filter((r) => r.decision === 'failed')).toHaveLength(1);
  });

  it('counts parallel wrong codes one at a time: never more than maxAttempts are checked', async () => {
    hook = await hookFixture({}, authenticatorAppConfig({ maxAttempts: 3 }));
    const { key } = await enrolApp(hook);
    const later = await arriveAs(hook);
    const right = totpCode(key, hook.clock.now());
    const guesses = Array.from({ length: 8 }, (_, i) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0'));
    const answers = await Promise.all([...guesses, right].map((code) => postApp(later, { decision: 'verify', code })));
    const told = answers.filter((a) => a.status === 422).map((a) => alertOf(a));
    // Each "tries left" is told at most once, and the right code, if checked at all, came within the three.
    expect(told.filter((m) => m.includes('2 more tries'))).toHaveLength(
      told.some((m) => m.includes('2 more tries')) ? 1 : 0,
    );
    expect(told.filter((m) => m.includes('1 more try'))).toHaveLength(
      told.some((m) => m.includes('1 more try')) ? 1 : 0,
    );
    const attempts = hook.logs.join('\n').match(/"event":"authenticator_app_code_refused"/g) ?? [];
    expect(attempts.length).toBeLessThanOrEqual(3);
  });

  it('takes a recovery code instead of a code, once', async () => {
    hook = await hookFixture({}, authenticatorAppConfig());
    const { recoveryCodes } = await enrolApp(hook);
    const first = await arriveAs(hook);
    const form = await postApp(first, { decision: 'recovery' });
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<input type="text" id="recovery-code" name="recoveryCode"/);
    expect(form.text).toMatch(/name="decision" value="use-code"/);
    expect(form.text).toMatch(/name="decision" value="decline"/);
    // Typed in lower case, without the dash, with an O for a 0: still the code.
    const typed = recoveryCodes[0]!.toLowerCase().replace('-', ' ');
    const recovered = await postApp({ ...first, page: form }, { decision: 'recover', recoveryCode: typed });
    expect(await tenantGot(hook, recovered)).toMatchObject({ kind: 'success' });
    expect((await ledgerRows(hook)).at(-1)!.evidence).toEqual({
      method: 'authenticator-app',
      outcome: 'recovery-code',
      attempts: 1,
    });

    const second = await arriveAs(hook);
    const again = await postApp(second, { decision: 'recover', recoveryCode: recoveryCodes[0]! });
    expect(again.status).toBe(422);
    expect(alertOf(again)).toContain('That recovery code is not right, or was used before. You have 4 more tries.');
    expect(again.text).toMatch(/name="recoveryCode"/);
    const badShape = await postApp(second, { decision: 'recover', recoveryCode: 'not a code' });
    expect(alertOf(badShape)).toContain('A recovery code is 10 letters and digits');
    expect(
      (await tenantGot(hook, await postApp(second, { decision: 'recover', recoveryCode: recoveryCodes[1]! }))).kind,
    ).toBe('success');
  });

  it('keeps nothing as enrolled from an enrolment never confirmed: the next journey offers a new key', async () => {
    hook = await hookFixture({}, authenticatorAppConfig());
    const abandoned = await arriveAs(hook);
    const oldKey = keyOnPage(abandoned.page.text);
    // A wrong first code does not enrol either.
    expect(
      (
        await postApp(abandoned, {
          decision: 'verify',
          code: '000000' === totpCode(oldKey, at(0)) ? '111111' : '000000',
        })
      ).status,
    ).toBe(422);
    expect(await hook.storage.subjectRecords.list('authenticator-app', 'subject-1')).toEqual([]);

    const next = await arriveAs(hook);
    const newKey = keyOnPage(next.page.text);
    expect(newKey).not.toBe(oldKey);
    // A code from the abandoned key proves nothing here.
    atStepStart(hook.clock);
    expect((await postApp(next, { decision: 'verify', code: totpCode(oldKey, hook.clock.now()) })).status).toBe(422);
    expect(await hook.storage.subjectRecords.list('authenticator-app', 'subject-1')).toEqual([]);
  });

  it('lets an enrolled subject use the app on a journey whose step forbids enrolment; fails one without an app', async () => {
    hook = await hookFixture({}, authenticatorAppConfig({ enrol: 'when-missing' }));
    const { key } = await enrolApp(hook);
    await hook.close();
    hook = await hookFixture({}, authenticatorAppConfig({ enrol: 'never' }));
    const stranger = await arriveAs(hook, 'subject-2');
    expect(stranger.page.text).toContain(
      'There is no authenticator app set up for you here, and this step cannot set one up.',
    );
    expect(stranger.page.text).not.toContain('<svg');
    expect(stranger.page.text).toMatch(/name="decision" value="decline"/);
    expect(await tenantGot(hook, await postApp(stranger, { decision: 'decline' }))).toMatchObject({
      kind: 'failure',
      message: AUTHENTICATOR_APP_NOT_ENROLLED_MESSAGE,
    });
    expect(key).toMatch(/^[A-Z2-7]+$/);
  });

  it('sets up no app without an earlier verifying step under "after-verification", with a page that says why', async () => {
    hook = await hookFixture({}, authenticatorAppConfig({ enrol: 'after-verification' }));
    const journey = await arriveAs(hook);
    expect(journey.page.text).toContain(
      'lets you set one up only after confirming who you are earlier in this journey',
    );
    expect(journey.page.text).not.toContain('<svg');
    expect(await tenantGot(hook, await postApp(journey, { decision: 'verify', code: '123456' }))).toMatchObject({
      kind: 'failure',
      message: AUTHENTICATOR_APP_NEEDS_VERIFICATION_MESSAGE,
    });
    expect((await ledgerRows(hook))[0]!.evidence).toEqual({
      method: 'authenticator-app',
      outcome: 'needs-verification',
    });
    expect(await hook.storage.subjectRecords.list('authenticator-app', 'subject-1')).toEqual([]);
  });

  it('fails a journey without a subject, and declines from every page', async () => {
    hook = await hookFixture({}, authenticatorAppConfig());
    const nobody = await arriveAs(hook, null);
    expect(nobody.page.text).toContain('Test Issuer did not say who you are');
    expect(await tenantGot(hook, await postApp(nobody, { decision: 'decline' }))).toMatchObject({
      kind: 'failure',
      message: AUTHENTICATOR_APP_NO_SUBJECT_MESSAGE,
    });

    const offered = await arriveAs(hook);
    expect(await tenantGot(hook, await postApp(offered, { decision: 'decline' }))).toMatchObject({
      kind: 'failure',
      message: AUTHENTICATOR_APP_DECLINED_MESSAGE,
    });
    expect((await ledgerRows(hook)).at(-1)).toMatchObject({
      decision: 'declined',
      evidence: { method: 'authenticator-app', outcome: 'declined' },
    });
  });

  it('says what is wrong with a code that is not six digits, in the page’s language, without counting it', async () => {
    hook = await hookFixture({}, authenticatorAppConfig({ maxAttempts: 2 }));
    const journey = await arriveAs(hook);
    for (const code of ['12345', 'abcdef', '1234567', '']) {
      const refused = await postApp(journey, { decision: 'verify', code });
      expect(refused.status).toBe(422);
      expect(alertOf(refused)).toContain('Enter the 6 digits the app shows.');
    }
    const french = await journey.browser
      .post(journey.path)
      .set('Accept-Language', 'fr')
      .type('form')
      .send({
        _csrf: /name="_csrf" value="([^"]+)"/.exec(journey.page.text)![1],
        step: 'authenticator-app',
        decision: 'verify',
        code: 'x',
      });
    expect(alertOf(french)).toContain('Saisissez les 6 chiffres affichés par l’application.');
    // Full-width digits and spaces are a code.
    const key = keyOnPage(journey.page.text);
    atStepStart(hook.clock);
    const code = totpCode(key, hook.clock.now());
    const spaced = `${code.slice(0, 3)} ${code.slice(3).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)))}`;
    expect((await postApp(journey, { decision: 'verify', code: spaced })).status).toBe(200);
  });

  it('fails closed, and tells the operator, when the stored secret was sealed under another key', async () => {
    hook = await hookFixture({}, authenticatorAppConfig());
    const { key } = await enrolApp(hook);
    const [stored] = await hook.storage.subjectRecords.list('authenticator-app', 'subject-1');
    // As if AUTHENTICATOR_APP_KEY (or SESSION_SECRET) had been changed since the enrolment.
    const resealed = await hook.storage.subjectRecords.update('authenticator-app', stored!.id, (record) => ({
      value: {
        ...(record.value as Record<string, unknown>),
        secret: new SecretBox(Buffer.alloc(32, 9)).seal(key, 'authenticator-app:subject-1'),
      },
      usedAt: record.usedAt,
    }));
    expect(resealed).toBe(true);
    const journey = await arriveAs(hook);
    expect(journey.page.text).toContain('Your authenticator app cannot be checked here at the moment.');
    const ended = await postApp(journey, { decision: 'verify', code: totpCode(key, hook.clock.now()) });
    expect(await tenantGot(hook, ended)).toMatchObject({
      kind: 'failure',
      message: AUTHENTICATOR_APP_UNREADABLE_MESSAGE,
    });
    const logs = hook.logs.join('\n');
    expect(logs).toContain('"event":"authenticator_app_unreadable","why":"other-key"');
    expect(logs).not.toContain(key);
  });
});
