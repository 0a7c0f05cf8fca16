import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HookConfig } from '../../src/config/hook-config.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { passkeyStepType } from '../../src/interaction/steps/passkey/index.js';
import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import {
  registrationOptions,
  relyingParty,
  verifyRegistration,
} from '../../src/interaction/steps/passkey/passkey-ceremony.js';
import { PASSKEY_NEEDS_VERIFICATION_MESSAGE } from '../../src/interaction/steps/passkey/passkey-step.js';
import type { PasskeyStepConfig } from '../../src/interaction/steps/passkey/schema.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import { ADDRESS, arriveWith, confirmEmailCode, emailCodeConfig, mailSettings } from '../support/email-code.js';
import { csrfFrom, HOOK_URL, hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { ledgerRows } from '../support/journey.js';
import { outcomeAt, passkeyConfig, passkeyJourney } from '../support/passkey-journey.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';

/** Who may create a passkey for a subject that has none (issue: enrolment is not trust on first use). */
const ORIGIN = new URL(HOOK_URL).origin;
const SUBJECT = 'subject-1';

let hook: HookFixture;
let mailbox: Mailbox;
beforeEach(async () => {
  mailbox = await startMailbox();
});
afterEach(async () => {
  await hook.close();
  await mailbox.close();
});

/** An email-code step, then a passkey step that enrols after verification, both with the mailbox's SMTP_URL. */
function emailThenPasskey(): HookConfig {
  const base = emailCodeConfig({ smtpUrl: mailbox.smtpUrl });
  const passkey: PasskeyStepConfig = {
    type: 'passkey',
    id: 'passkey',
    userVerification: 'required',
    enrol: 'after-verification',
  };
  return { ...base, steps: [...base.steps, configureStep(passkeyStepType, passkey, mailSettings(mailbox.smtpUrl))] };
}

describe('passkey enrolment after verification', () => {
  it('refuses to create a passkey without an earlier verifying step, with a page that says why, and keeps none', async () => {
    hook = await hookFixture({}, passkeyConfig({ enrol: 'after-verification' }));
    const journey = await passkeyJourney(hook);
    expect(journey.page.text).toContain(
      'You have no passkey here yet, and Test Issuer lets you create one only after confirming who you are earlier in this journey.',
    );
    expect(journey.page.text).not.toContain('data-passkey="start"');
    // The script's way in is closed too: no challenge, and the journey ends.
    const started = await journey.action('options');
    expect(await outcomeAt(hook, started.location)).toMatchObject({
      kind: 'failure',
      message: PASSKEY_NEEDS_VERIFICATION_MESSAGE,
    });
    expect((await ledgerRows(hook)).map((r) => [r.decision, r.evidence])).toEqual([
      ['failed', { passkey: 'needs_verification' }],
    ]);
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject(SUBJECT)).toEqual([]);
  });

  it('also from the page’s plain form, in French', async () => {
    hook = await hookFixture({}, passkeyConfig({ enrol: 'after-verification' }));
    const journey = await passkeyJourney(hook);
    const french = await journey.browser.get(journey.interactionPath).set('Accept-Language', 'fr');
    expect(french.text).toContain('ne permet d’en créer une qu’après avoir confirmé votre identité');
    const posted = await journey.browser
      .post(journey.interactionPath)
      .type('form')
      .send({ _csrf: journey.csrf, step: 'passkey', decision: 'continue' });
    expect(await outcomeAt(hook, posted.headers.location)).toMatchObject({
      kind: 'failure',
      message: PASSKEY_NEEDS_VERIFICATION_MESSAGE,
    });
  });

  it('lets a subject who has a passkey use it without an earlier verifying step', async () => {
    hook = await hookFixture({}, passkeyConfig({ enrol: 'after-verification' }));
    const rp = relyingParty(HOOK_URL, 'Test Issuer');
    const options = await registrationOptions(rp, SUBJECT, 'required');
    const authenticator = new SoftwareAuthenticator();
    const made = await verifyRegistration(
      rp,
      authenticator.register(options, ORIGIN),
      options.challenge,
      SUBJECT,
      'required',
      new Date(),
    );
    if (!made.ok) throw new Error(made.refusal);
    await passkeyCredentials(hook.storage.subjectRecords).add(made.credential);
    const journey = await passkeyJourney(hook);
    const started = await journey.options();
    if (started.ceremony !== 'authenticate') throw new Error('expected an authentication');
    const done = await journey.action('verify', { response: authenticator.assert(started.options, ORIGIN) });
    expect((await outcomeAt(hook, done.location)).kind).toBe('success');
  });

  it('creates one after an emailed code confirmed the person, and mails “a passkey was added” to that address', async () => {
    hook = await hookFixture({ LEDGER_SUBJECT_CLAIM: 'email' }, emailThenPasskey());
    const at = await arriveWith(hook, { email: ADDRESS });
    const confirmed = await confirmEmailCode(at, mailbox);
    const page = await at.browser.get(confirmed.headers.location!);
    expect(page.text).toContain('data-passkey="start"');
    const csrf = csrfFrom(page.text);
    const options = await at.browser.post(`${at.path}/options`).set('X-CSRF-Token', csrf).send({});
    expect(options.body).toMatchObject({ ceremony: 'register' });
    const done = await at.browser
      .post(`${at.path}/verify`)
      .set('X-CSRF-Token', csrf)
      .send({
        response: new SoftwareAuthenticator().register(
          (options.body as { options: PublicKeyCredentialCreationOptionsJSON }).options,
          ORIGIN,
        ),
      });
    expect(await outcomeAt(hook, (done.body as { location: string }).location)).toMatchObject({ kind: 'success' });
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject(ADDRESS)).toHaveLength(1);
    expect((await ledgerRows(hook)).map((r) => [r.step, r.decision])).toEqual([
      ['email-code', 'accepted'],
      ['passkey', 'accepted'],
    ]);

    expect(mailbox.messages).toHaveLength(2);
    const notice = mailbox.messages[1]!;
    expect(notice.to).toEqual([ADDRESS]);
    expect(notice.subject).toBe('A passkey was added for Test Issuer');
    expect(notice.text).toContain('A passkey was just added to confirm it is you with Test Issuer.');
    expect(notice.text).toContain('If it was not, contact Test Issuer at once');
    expect(notice.html).not.toMatch(/<a\b/);
  });
});
