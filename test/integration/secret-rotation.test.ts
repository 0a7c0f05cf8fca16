import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { mintSessionToken, readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, hookFixture, withKey, type HookFixture } from '../support/hook-fixture.js';

let hook: HookFixture | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

const newSecret = () => randomBytes(32).toString('base64');

/** A token as the tenant signed it before the rotation, or with any other secret. */
function mintWith(fixture: HookFixture, secret: string, payload = {}) {
  return mintSessionToken(
    { ...fixture.simulator.identity, key: withKey(secret) },
    { now: fixture.clock.now(), claims: { given_name: 'Ana' }, payload },
  );
}

/** Arrives with `token` and, if let in, accepts the terms; returns the statuses and the token sent back. */
async function journey(fixture: HookFixture, token: string) {
  const browser = fixture.browser();
  const arrival = await browser.get(`/callback?session_token=${token}`);
  if (arrival.status !== 303) return { arrival: arrival.status, returned: undefined };
  const page = await browser.get(arrival.headers.location!);
  const done = await browser
    .post(arrival.headers.location!)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
  expect(done.status).toBe(303);
  return { arrival: arrival.status, returned: new URL(done.headers.location!).searchParams.get('session_token')! };
}

describe('during a rotation (INTERACTION_HOOK_PREVIOUS_SECRET set)', () => {
  it('lets in a user whose token was signed with the previous secret, and signs the way back with the current one', async () => {
    const previous = newSecret();
    hook = await hookFixture({ INTERACTION_HOOK_PREVIOUS_SECRET: previous });
    const { token, state } = await mintWith(hook, previous);

    const { arrival, returned } = await journey(hook, token);

    expect(arrival).toBe(303);
    const current = hook.simulator.identity; // the tenant after the rotation: current secret
    await expect(readReturnToken(current, returned!, hook.clock.now())).resolves.toMatchObject({
      kind: 'success',
      state,
    });
    await expect(readReturnToken({ ...current, key: withKey(previous) }, returned!, hook.clock.now())).rejects.toThrow(
      /signature/,
    );
  });

  it('still lets in tokens signed with the current secret', async () => {
    hook = await hookFixture({ INTERACTION_HOOK_PREVIOUS_SECRET: newSecret() });
    const { token } = await mintWith(hook, hook.secret);
    expect((await journey(hook, token)).arrival).toBe(303);
  });

  it('refuses a token signed with any other secret', async () => {
    hook = await hookFixture({ INTERACTION_HOOK_PREVIOUS_SECRET: newSecret() });
    const { token } = await mintWith(hook, newSecret());
    const res = await hook.browser().get(`/callback?session_token=${token}`);
    expect(res.status).toBe(401);
    expect(res.headers.location).toBeUndefined();
  });

  it('does not loosen any other check for a token signed with the previous secret', async () => {
    const previous = newSecret();
    hook = await hookFixture({ INTERACTION_HOOK_PREVIOUS_SECRET: previous });
    const wrongAudience = await mintSessionToken({
      ...hook.simulator.identity,
      hookUrl: 'https://other.example.com/callback',
      key: withKey(previous),
    });
    expect((await hook.browser().get(`/callback?session_token=${wrongAudience.token}`)).status).toBe(401);
    const expired = await mintWith(hook, previous);
    hook.clock.advance(300 + hook.settings.clockToleranceSeconds + 1);
    expect((await hook.browser().get(`/callback?session_token=${expired.token}`)).status).toBe(401);
  });
});

describe('after the rotation (INTERACTION_HOOK_PREVIOUS_SECRET removed)', () => {
  it('refuses tokens signed with the old secret once the hook restarts without it', async () => {
    const previous = newSecret();
    hook = await hookFixture({ INTERACTION_HOOK_PREVIOUS_SECRET: previous });
    const during = await mintWith(hook, previous);
    expect((await hook.browser().get(`/callback?session_token=${during.token}`)).status).toBe(303);
    const current = hook.secret;
    await hook.close();

    hook = await hookFixture({ INTERACTION_HOOK_SECRET: current });
    const after = await mintWith(hook, previous);
    const res = await hook.browser().get(`/callback?session_token=${after.token}`);
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(previous);
    const fresh = await mintWith(hook, current);
    expect((await hook.browser().get(`/callback?session_token=${fresh.token}`)).status).toBe(303);
  });
});
