import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  registrationOptions,
  relyingParty,
  verifyRegistration,
} from '../../src/interaction/steps/passkey/passkey-ceremony.js';
import {
  PASSKEY_DECLINED_MESSAGE,
  PASSKEY_NO_SUBJECT_MESSAGE,
  PASSKEY_NONE_ENROLLED_MESSAGE,
} from '../../src/interaction/steps/passkey/passkey-step.js';
import { HOOK_URL, hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { ledgerRows } from '../support/journey.js';
import { authenticateOptions, enrol, outcomeAt, passkeyConfig, passkeyJourney } from '../support/passkey-journey.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';

/** The passkey step, driven through its actions with a software authenticator, on this run's engine. */
const ORIGIN = new URL(HOOK_URL).origin;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

describe('the passkey step', () => {
  it('enrols a passkey on a subject’s first journey, and records a hash of its id, never the id', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    expect(journey.page.text).toContain('data-passkey="start"');
    expect(journey.page.text).toContain('Create a passkey');
    const started = await journey.options();
    if (started.ceremony !== 'register') throw new Error('expected an enrolment');
    expect(started.options.rp).toEqual({ id: 'hook.example.com', name: 'Test Issuer' });
    expect(started.options.authenticatorSelection?.userVerification).toBe('required');
    expect(started.options.attestation).toBe('none');

    const authenticator = new SoftwareAuthenticator();
    const done = await journey.action('verify', { response: authenticator.register(started.options, ORIGIN) });
    expect(done.status).toBe(200);
    expect(await outcomeAt(hook, done.location)).toMatchObject({ kind: 'success', state: journey.state, claims: {} });

    const [id] = authenticator.credentialIds;
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1')).toMatchObject([
      { id, subject: 'subject-1', counter: 1, transports: ['internal'] },
    ]);
    const rows = await ledgerRows(hook);
    expect(rows.map((r) => [r.step, r.decision, r.subject, r.evidence])).toEqual([
      ['passkey', 'accepted', 'subject-1', { passkey: 'enrolled', credentialSha256: sha256(id!), userVerified: true }],
    ]);
    expect(JSON.stringify(rows)).not.toContain(id);
    expect(hook.logs.join('')).not.toContain(id);
  });

  it('makes a later journey of the same subject use the enrolled passkey, and moves its counter on', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const authenticator = new SoftwareAuthenticator();
    const id = await enrol(hook, authenticator);

    const journey = await passkeyJourney(hook);
    expect(journey.page.text).toContain('Use my passkey');
    const options = await authenticateOptions(journey);
    expect(options.allowCredentials).toEqual([{ id, type: 'public-key', transports: ['internal'] }]);
    expect(options.rpId).toBe('hook.example.com');
    expect(options.userVerification).toBe('required');
    const done = await journey.action('verify', { response: authenticator.assert(options, ORIGIN) });
    expect(await outcomeAt(hook, done.location)).toMatchObject({ kind: 'success', state: journey.state });
    expect((await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1'))[0]).toMatchObject({
      counter: 2,
    });
    expect((await ledgerRows(hook)).map((r) => r.evidence)).toEqual([
      { passkey: 'enrolled', credentialSha256: sha256(id), userVerified: true },
      { passkey: 'used', credentialSha256: sha256(id), userVerified: true },
    ]);
  });

  it('keeps each subject’s passkeys apart: another subject enrols its own', async () => {
    hook = await hookFixture({}, passkeyConfig());
    await enrol(hook, new SoftwareAuthenticator(), 'subject-1');
    const other = await passkeyJourney(hook, { payload: { sub: 'subject-2' } });
    expect((await other.options()).ceremony).toBe('register');
  });

  it('takes the subject from the claim LEDGER_SUBJECT_CLAIM names', async () => {
    hook = await hookFixture({ LEDGER_SUBJECT_CLAIM: 'email' }, passkeyConfig());
    const authenticator = new SoftwareAuthenticator();
    await enrol(hook, authenticator, { claims: { email: 'aroha@example.com' } });
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject('aroha@example.com')).toHaveLength(1);
    const again = await passkeyJourney(hook, { claims: { email: 'aroha@example.com' } });
    expect((await again.options()).ceremony).toBe('authenticate');
  });

  it('fails the step, with its own message, for a journey without a subject', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook, {});
    expect(journey.page.text).toContain('A passkey cannot be used in this journey');
    expect(journey.page.text).not.toContain('data-passkey="start"');
    const started = await journey.action('options');
    expect(await outcomeAt(hook, started.location)).toMatchObject({
      kind: 'failure',
      message: PASSKEY_NO_SUBJECT_MESSAGE,
    });
    expect((await ledgerRows(hook)).map((r) => [r.decision, r.evidence])).toEqual([
      ['failed', { passkey: 'no_subject' }],
    ]);
  });

  it('fails the step for a subject without a passkey when the step enrols none, also from the page’s plain form', async () => {
    hook = await hookFixture({}, passkeyConfig({ enrol: 'never' }));
    const journey = await passkeyJourney(hook);
    expect(journey.page.text).toContain('There is no passkey for you here');
    const posted = await journey.browser
      .post(journey.interactionPath)
      .type('form')
      .send({ _csrf: journey.csrf, step: 'passkey', decision: 'continue' });
    expect(posted.status).toBe(303);
    expect(await outcomeAt(hook, posted.headers.location)).toMatchObject({
      kind: 'failure',
      message: PASSKEY_NONE_ENROLLED_MESSAGE,
    });
    expect((await ledgerRows(hook)).map((r) => r.decision)).toEqual(['failed']);
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1')).toEqual([]);
  });

  it('lets a subject with a passkey use it when the step enrols none', async () => {
    hook = await hookFixture({}, passkeyConfig({ enrol: 'never' }));
    const authenticator = new SoftwareAuthenticator();
    expect(
      await passkeyCredentials(hook.storage.subjectRecords).add(await enrolledOutsideAJourney(authenticator)),
    ).toBe(true);
    const journey = await passkeyJourney(hook);
    const done = await journey.action('verify', {
      response: authenticator.assert(await authenticateOptions(journey), ORIGIN),
    });
    expect((await outcomeAt(hook, done.location)).kind).toBe('success');
  });

  it('records whether the user was verified when the step only prefers it', async () => {
    hook = await hookFixture({}, passkeyConfig({ userVerification: 'preferred' }));
    const journey = await passkeyJourney(hook);
    const started = await journey.options();
    if (started.ceremony !== 'register') throw new Error('expected an enrolment');
    const done = await journey.action('verify', {
      response: new SoftwareAuthenticator().register(started.options, ORIGIN, { userVerified: false }),
    });
    expect((await outcomeAt(hook, done.location)).kind).toBe('success');
    expect((await ledgerRows(hook))[0]!.evidence).toMatchObject({ passkey: 'enrolled', userVerified: false });
  });

  it('declines through a plain form that works without JavaScript, and says a passkey needs it', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    expect(journey.page.text).toMatch(/<noscript>[^]*A passkey needs JavaScript[^]*<\/noscript>/);
    expect(journey.page.text).toMatch(
      /<form method="post" action="\/interaction\/[^"]+" id="step-form">[^]*name="decision" value="decline"/,
    );
    const noScript = await journey.browser
      .post(journey.interactionPath)
      .type('form')
      .send({ _csrf: journey.csrf, step: 'passkey' });
    expect(noScript.status).toBe(422);
    expect(noScript.text).toContain('A passkey needs JavaScript: turn it on');
    expect(await outcomeAt(hook, await journey.decline())).toMatchObject({
      kind: 'failure',
      state: journey.state,
      message: PASSKEY_DECLINED_MESSAGE,
    });
    expect((await ledgerRows(hook)).map((r) => [r.decision, r.evidence])).toEqual([['declined', { offered: 'enrol' }]]);
  });

  it('serves the browser library from the hook itself, and the page loads scripts from nowhere else', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    const csp = String(journey.page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const scripts = [...journey.page.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.every((attributes) => / src="\/static\//.test(attributes!))).toBe(true);
    const library = await journey.browser.get('/static/vendor/simplewebauthn-browser.js');
    expect(library.status).toBe(200);
    expect(library.headers['content-type']).toMatch(/javascript/);
    expect(library.text).toContain('SimpleWebAuthnBrowser');
    const script = await journey.browser.get('/static/passkey.js');
    expect(script.status).toBe(200);
    expect(script.text).toContain('data-passkey="start"');
  });
});

/** A passkey the subject enrolled before (another step, an earlier release): the ceremony without a journey. */
async function enrolledOutsideAJourney(authenticator: SoftwareAuthenticator) {
  const rp = relyingParty(HOOK_URL, 'Test Issuer');
  const options = await registrationOptions(rp, 'subject-1', 'required');
  const verified = await verifyRegistration(
    rp,
    authenticator.register(options, ORIGIN),
    options.challenge,
    'subject-1',
    'required',
    new Date(),
  );
  if (!verified.ok) throw new Error(verified.refusal);
  return verified.credential;
}
