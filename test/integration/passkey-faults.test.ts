import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { afterEach, describe, expect, it } from 'vitest';
import { registrationOptions, relyingParty } from '../../src/interaction/steps/passkey/passkey-ceremony.js';
import { PASSKEY_DECLINED_MESSAGE } from '../../src/interaction/steps/passkey/passkey-step.js';
import { HOOK_URL, hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { ledgerRows } from '../support/journey.js';
import {
  authenticateOptions,
  enrol,
  outcomeAt,
  passkeyConfig,
  passkeyJourney,
  type PasskeyJourney,
} from '../support/passkey-journey.js';
import { SoftwareAuthenticator } from '../support/software-authenticator.js';

/**
 * Bad answers to the passkey step: each is refused in JSON with a message for the user (never a
 * 5xx, never a redirect), changes no stored passkey, and leaves the journey where it was — the user
 * can try again or decline, and the tenant hears of it exactly once.
 */
const ORIGIN = new URL(HOOK_URL).origin;

let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

async function enrolment(journey: PasskeyJourney) {
  const started = await journey.options();
  if (started.ceremony !== 'register') throw new Error('expected an enrolment');
  return started.options;
}

/** After a refusal the journey is still open: Decline reaches the tenant with the decline, once. */
async function stillDeclinable(journey: PasskeyJourney): Promise<void> {
  expect((await ledgerRows(hook)).filter((r) => r.interactionId === journey.interactionPath.split('/')[2])).toEqual([]);
  expect(await outcomeAt(hook, await journey.decline())).toMatchObject({
    kind: 'failure',
    state: journey.state,
    message: PASSKEY_DECLINED_MESSAGE,
  });
}

describe('the passkey step refuses', () => {
  it('a cancelled ceremony costs nothing: the user tries again and enrols, or declines', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    // The browser's prompt was cancelled: the script never calls verify, and asks again.
    const abandoned = await enrolment(journey);
    const retried = await enrolment(journey);
    expect(retried.challenge).not.toBe(abandoned.challenge);
    const authenticator = new SoftwareAuthenticator();
    // Only the latest challenge can be answered.
    const stale = await journey.action('verify', { response: authenticator.register(abandoned, ORIGIN) });
    expect(stale).toMatchObject({ status: 400, body: { error: 'passkey_challenge' } });
    await stillDeclinable(journey);
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1')).toEqual([]);
  });

  it('an enrolment the user was not verified for, when the step requires it; a verified retry enrols', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    const authenticator = new SoftwareAuthenticator();
    const refused = await journey.action('verify', {
      response: authenticator.register(await enrolment(journey), ORIGIN, { userVerified: false }),
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: 'passkey_not_verified', message: expect.stringContaining('did not confirm it is you') as string },
    });
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1')).toEqual([]);
    const retried = await journey.action('verify', {
      response: authenticator.register(await enrolment(journey), ORIGIN),
    });
    expect((await outcomeAt(hook, retried.location)).kind).toBe('success');
  });

  it('an assertion the user was not verified for', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const authenticator = new SoftwareAuthenticator();
    await enrol(hook, authenticator);
    const journey = await passkeyJourney(hook);
    const refused = await journey.action('verify', {
      response: authenticator.assert(await authenticateOptions(journey), ORIGIN, { userVerified: false }),
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'passkey_not_verified' } });
    await stillDeclinable(journey);
  });

  it('a passkey that is not the subject’s, also one enrolled by another subject', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const mine = new SoftwareAuthenticator();
    const theirs = new SoftwareAuthenticator();
    await enrol(hook, mine, 'subject-1');
    await enrol(hook, theirs, 'subject-2');
    const journey = await passkeyJourney(hook);
    const options = await authenticateOptions(journey);
    const stranger = new SoftwareAuthenticator();
    // A passkey made for this hook, but never enrolled here.
    stranger.register(await registrationOptions(relyingParty(HOOK_URL, 'Test Issuer'), 'stranger', 'required'), ORIGIN);
    for (const response of [stranger.assert(options, ORIGIN), theirs.assert(options, ORIGIN)]) {
      await journey.action('options');
      const refused = await journey.action('verify', { response });
      expect(refused).toMatchObject({
        status: 400,
        body: {
          error: 'passkey_unknown_credential',
          message: expect.stringContaining('not the passkey you created for Test Issuer') as string,
        },
      });
    }
    await stillDeclinable(journey);
  });

  it('a counter that went back, and logs it without the credential id', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const authenticator = new SoftwareAuthenticator(5);
    const id = await enrol(hook, authenticator);
    const journey = await passkeyJourney(hook);
    const refused = await journey.action('verify', {
      response: authenticator.assert(await authenticateOptions(journey), ORIGIN, { counter: 3 }),
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'passkey_counter_regressed' } });
    expect((await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1'))[0]).toMatchObject({
      counter: 5,
    });
    const logged = hook.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.reason === 'counter_regressed');
    expect(logged).toMatchObject({
      level: 40,
      event: 'passkey_refused',
      interaction: journey.interactionPath.split('/')[2],
    });
    expect(hook.logs.join('')).not.toContain(id);
    // The same counter again is no better.
    await journey.action('options');
    const same = await journey.action('verify', {
      response: authenticator.assert(await authenticateOptions(journey), ORIGIN, { counter: 5 }),
    });
    expect(same.body.error).toBe('passkey_counter_regressed');
    await stillDeclinable(journey);
  });

  it('a replayed response: its challenge is spent, in this journey and in any other', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const authenticator = new SoftwareAuthenticator();
    await enrol(hook, authenticator);
    const journey = await passkeyJourney(hook);
    const response = authenticator.assert(await authenticateOptions(journey), ORIGIN, { userVerified: false });
    expect((await journey.action('verify', { response })).body.error).toBe('passkey_not_verified');
    expect(await journey.action('verify', { response })).toMatchObject({
      status: 409,
      body: { error: 'passkey_stale' },
    });

    const good = authenticator.assert(await authenticateOptions(journey), ORIGIN);
    const done = await journey.action('verify', { response: good });
    expect((await outcomeAt(hook, done.location)).kind).toBe('success');
    // After the decision the replay repeats the same way back (PROTOCOL §4): no second token, no new decision.
    const again = await journey.action('verify', { response: good });
    expect(again).toMatchObject({ status: 200, location: done.location });
    const other = await passkeyJourney(hook);
    await other.options();
    expect((await other.action('verify', { response: good })).body.error).toBe('passkey_challenge');
    expect((await ledgerRows(hook)).map((r) => r.decision)).toEqual(['accepted', 'accepted']);
  });

  it('a response made for another origin, at enrolment and at use', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    const authenticator = new SoftwareAuthenticator();
    const phished = await journey.action('verify', {
      response: authenticator.register(await enrolment(journey), ORIGIN, {
        origin: 'https://hook.example.com.evil.example',
      }),
    });
    expect(phished).toMatchObject({ status: 400, body: { error: 'passkey_origin' } });
    expect(await passkeyCredentials(hook.storage.subjectRecords).forSubject('subject-1')).toEqual([]);
    await stillDeclinable(journey);

    await enrol(hook, authenticator);
    const later = await passkeyJourney(hook);
    const refused = await later.action('verify', {
      response: authenticator.assert(await authenticateOptions(later), ORIGIN, { origin: 'http://localhost:8080' }),
    });
    expect(refused.body.error).toBe('passkey_origin');
  });

  it('answers that are not WebAuthn responses at all, and a verify with no ceremony started', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    expect(await journey.action('verify', { response: {} })).toMatchObject({
      status: 409,
      body: { error: 'passkey_stale' },
    });
    for (const response of [
      undefined,
      'garbage',
      { id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: '!!', attestationObject: 'AA' } },
      { id: 'x'.repeat(5000) },
    ]) {
      await journey.action('options');
      const refused = await journey.action('verify', { response });
      expect(refused).toMatchObject({ status: 400, body: { error: 'passkey_malformed' } });
    }
    await journey.action('options');
    const broken = new SoftwareAuthenticator().register(await enrolment(journey), ORIGIN);
    const refused = await journey.action('verify', {
      response: { ...broken, response: { ...broken.response, attestationObject: 'AAAA' } },
    });
    expect(refused).toMatchObject({ status: 400, body: { error: 'passkey_invalid' } });
    await stillDeclinable(journey);
  });

  it('a body that is not a JSON object, refused before the step sees it; a stored challenge of another shape is none', async () => {
    hook = await hookFixture({}, passkeyConfig());
    const journey = await passkeyJourney(hook);
    await journey.action('options');
    const listed = await journey.browser
      .post(`${journey.interactionPath}/verify`)
      .set('X-CSRF-Token', journey.csrf)
      .send([{ response: {} }]);
    expect(listed.status).toBe(400);
    expect(listed.body).toMatchObject({ error: 'request_invalid' });
    // The challenge is still there: nothing reached the step.
    const key = `${journey.interactionPath.split('/')[2]}:passkey`;
    expect(await hook.storage.stepRecords.get('passkey-challenge', key, hook.clock.now())).toMatchObject({
      ceremony: 'register',
    });
    await hook.storage.stepRecords.put(
      'passkey-challenge',
      key,
      { ceremony: 'register', challenge: 42, subject: 'subject-1' },
      new Date(hook.clock.now().getTime() + 60_000),
    );
    expect(await journey.action('verify', { response: {} })).toMatchObject({
      status: 409,
      body: { error: 'passkey_stale' },
    });
    await stillDeclinable(journey);
  });
});
