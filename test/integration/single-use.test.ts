import path from 'node:path';
import pino from 'pino';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { DEFAULT_HOOK_CONFIG } from '../../src/config/hook-config.js';
import { HookKeys } from '../../src/mattr/hook-keys.js';
import { decodeHookSecret } from '../../src/mattr/hook-secret.js';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { openStorage } from '../../src/storage/open-storage.js';
import { StorageUnavailableError } from '../../src/storage/storage-unavailable.js';
import { csrfFrom, hookFixture, mustLoad, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { answer, arrive, ledgerRows } from '../support/journey.js';
import { refuseWrites } from '../support/ledger-faults.js';
import { failNextSessionWrite } from '../support/session-faults.js';
import { termsConfig } from '../support/terms-config.js';

let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture();
});
afterEach(async () => {
  await hook.close();
});

const toTenant = (res: { headers: Record<string, string | undefined> }) =>
  res.headers.location !== undefined &&
  URL.canParse(res.headers.location) &&
  new URL(res.headers.location).origin === TENANT_URL;

describe('a session token is used once', () => {
  it('starts exactly one interaction when the same token arrives twice at the same instant', async () => {
    const { token } = await hook.mint();
    const tries = await Promise.all(
      Array.from({ length: 8 }, () => hook.browser().get(`/callback?session_token=${token}`)),
    );
    expect(tries.map((r) => r.status).sort()).toEqual([303, 409, 409, 409, 409, 409, 409, 409]);
    expect(tries.filter((r) => r.headers.location).length).toBe(1);
    expect(tries.find((r) => r.status === 409)!.text).toContain('already been used');
  });

  it('holds across two processes on the same database (two connections, two apps)', async () => {
    const other = await openStorage(hook.settings);
    try {
      const secondApp = createApp({
        settings: hook.settings,
        hookConfig: mustLoad(DEFAULT_HOOK_CONFIG),
        storage: other,
        logger: pino({ level: 'silent' }),
        keys: new HookKeys(decodeHookSecret(hook.secret)!),
        sessionSecret: hook.settings.sessionSecret!,
        now: hook.clock.now,
      });
      for (let round = 0; round < 5; round++) {
        const { token } = await hook.mint();
        const [a, b] = await Promise.all([
          hook.browser().get(`/callback?session_token=${token}`),
          request(secondApp).get(`/callback?session_token=${token}`),
        ]);
        expect([a.status, b.status].sort()).toEqual([303, 409]);
      }
    } finally {
      await other.close();
    }
  });

  it('treats every spelling of one token as the same token (spare bits in the signature) and refuses padded or broken-up ones', async () => {
    const { token } = await hook.mint();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1)!);
    const spareBits = [1, 2, 3].map((bits) => token.slice(0, -1) + alphabet[(last & ~3) | ((last & 3) ^ bits)]!);
    const notBase64url = [`${token}=`, `${token.slice(0, -6)}%0A${token.slice(-6)}`];
    expect((await hook.browser().get(`/callback?session_token=${token}`)).status).toBe(303);
    for (const spelling of spareBits) {
      const again = await hook.browser().get(`/callback?session_token=${spelling}`);
      expect(again.status, spelling.slice(-8)).toBe(409);
    }
    for (const spelling of notBase64url) {
      const again = await hook.browser().get(`/callback?session_token=${spelling}`);
      expect(again.status, spelling.slice(-8)).toBe(401);
      expect(again.headers['set-cookie'], spelling.slice(-8)).toBeUndefined();
    }
  });

  it('uses the jti when the tenant sends one, so a re-signed copy is still a replay', async () => {
    const first = await hook.mint({ payload: { jti: 'token-1' } });
    const copy = await hook.mint({ payload: { jti: 'token-1' }, lifetimeSeconds: 299 });
    expect(copy.token).not.toBe(first.token);
    expect((await hook.browser().get(`/callback?session_token=${first.token}`)).status).toBe(303);
    expect((await hook.browser().get(`/callback?session_token=${copy.token}`)).status).toBe(409);
  });
});

describe('a double-submitted final answer', () => {
  it('sends every submit the one redirect to the tenant, with one token, and writes exactly one decision', async () => {
    const arrived = await arrive(hook);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => answer(arrived, i % 2 === 0 ? 'accept' : 'decline')),
    );
    const redirects = results.filter(toTenant);
    // A second tap cancels the first navigation: whichever answer the browser keeps must reach the tenant.
    expect(redirects).toHaveLength(6);
    expect(new Set(redirects.map((r) => r.headers.location)).size).toBe(1);
    const rows = await ledgerRows(hook);
    expect(rows).toHaveLength(1);
    // The one redirect says what the one row says.
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(redirects[0]!.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome.kind).toBe(rows[0]!.decision === 'accepted' ? 'success' : 'failure');
  });

  it('keeps a double submit on an inner step from advancing twice or redirecting', async () => {
    await hook.close();
    hook = await hookFixture({}, termsConfig({ id: 'terms' }, { id: 'privacy' }));
    const arrived = await arrive(hook);
    const results = await Promise.all([answer(arrived, 'accept'), answer(arrived, 'accept')]);
    expect(results.filter(toTenant)).toHaveLength(0);
    expect(results.map((r) => r.headers.location)).toEqual([arrived.interactionPath, arrived.interactionPath]);
    const page = await arrived.browser.get(arrived.interactionPath);
    expect(page.text).toContain('Step 2 of 2');
    expect((await ledgerRows(hook)).map((r) => r.step)).toEqual(['terms']);
  });
});

describe('when the decision cannot be written', () => {
  it('does not redirect, shows "please try again", and the retry goes through', async () => {
    const arrived = await arrive(hook);
    const lift = await refuseWrites(hook.settings);
    let failed;
    try {
      failed = await answer(arrived, 'accept');
    } finally {
      await lift();
    }
    expect(failed.status).toBe(503);
    expect(failed.headers.location).toBeUndefined();
    expect(failed.text).toContain('Please try again');
    expect(failed.text).toContain('we have not sent you back yet');
    expect(await ledgerRows(hook)).toEqual([]);
    expect(hook.logs.join('')).toContain('decision could not be recorded');

    // Same page, same form: the user presses the button again.
    const retry = await arrived.browser
      .post(arrived.interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(arrived.page.text), accept_terms: 'yes', decision: 'accept' });
    expect(retry.status).toBe(303);
    expect(toTenant(retry)).toBe(true);
    expect((await ledgerRows(hook)).map((r) => r.decision)).toEqual(['accepted']);
  });

  it('does not redirect a decline either', async () => {
    const arrived = await arrive(hook);
    const lift = await refuseWrites(hook.settings);
    try {
      const failed = await answer(arrived, 'decline');
      expect(failed.status).toBe(503);
      expect(failed.headers.location).toBeUndefined();
    } finally {
      await lift();
    }
    expect(toTenant(await answer(arrived, 'decline'))).toBe(true);
  });

  it('answers 503 at arrival when the token cannot be claimed, and the same link works afterwards', async () => {
    const { token } = await hook.mint();
    const lift = await refuseWrites(hook.settings, 'claims');
    try {
      const refused = await hook.browser().get(`/callback?session_token=${token}`);
      expect(refused.status).toBe(503);
      expect(refused.headers.location).toBeUndefined();
      expect(refused.text).toContain('your link still works');
    } finally {
      await lift();
    }
    expect((await hook.browser().get(`/callback?session_token=${token}`)).status).toBe(303);
  });
});

describe('when the session cannot be saved after an inner step was decided', () => {
  const TERMS_AND_PROFILE = mustLoad(
    path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'),
  );
  const PROFILE = {
    email: 'aroha@example.com',
    phone_number: '',
    'birthdate-day': '27',
    'birthdate-month': '3',
    'birthdate-year': '1990',
    member_number: '',
    region: 'north',
  };

  it('goes on from the recorded decision when the step is submitted again, to one redirect and one row per step', async () => {
    await hook.close();
    hook = await hookFixture({}, TERMS_AND_PROFILE);
    const arrived = await arrive(hook);
    failNextSessionWrite(hook.storage);
    const lost = await answer(arrived, 'accept');
    expect(lost.status).toBe(503);
    expect(lost.headers.location).toBeUndefined();
    // The decision is in the ledger, but the session still stands on the terms.
    expect((await ledgerRows(hook)).map((r) => [r.step, r.decision])).toEqual([['terms', 'accepted']]);
    expect((await arrived.browser.get(arrived.interactionPath)).text).toContain('Step 1 of 2');

    const again = await answer(arrived, 'accept');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(arrived.interactionPath);
    const profile = await arrived.browser.get(arrived.interactionPath);
    expect(profile.text).toContain('Step 2 of 2');
    expect(profile.text).toContain('name="email"');

    const done = await arrived.browser
      .post(arrived.interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(profile.text), ...PROFILE });
    expect(toTenant(done)).toBe(true);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(done.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toMatchObject({
      kind: 'success',
      state: arrived.state,
      claims: { email: 'aroha@example.com', region: 'north' },
    });

    // Every later submit of either step is refused, never sent back a second time.
    const later = [
      await arrived.browser
        .post(arrived.interactionPath)
        .type('form')
        .send({ _csrf: csrfFrom(profile.text), ...PROFILE }),
      await answer(arrived, 'accept'),
    ];
    // While the token sent back is valid, they get that same redirect; after, a page. Never a second token.
    expect(later.map((r) => r.headers.location)).toEqual([done.headers.location, done.headers.location]);
    hook.clock.advance(61);
    const late = [await arrived.browser.get(arrived.interactionPath), await answer(arrived, 'accept')];
    expect(late.filter(toTenant)).toHaveLength(0);
    expect(late.map((r) => r.status)).toEqual([409, 409]);
    expect((await ledgerRows(hook)).map((r) => [r.step, r.decision])).toEqual([
      ['terms', 'accepted'],
      ['profile', 'accepted'],
    ]);
  });

  it('answers with the declined page when the step was declined, without sending the user back again', async () => {
    await hook.close();
    hook = await hookFixture({}, TERMS_AND_PROFILE);
    const arrived = await arrive(hook);
    // A decline sends the user back even when the session cannot be saved: the ledger holds it.
    failNextSessionWrite(hook.storage);
    const declined = await answer(arrived, 'decline');
    expect(toTenant(declined)).toBe(true);

    // The session missed the end: the back button shows the step, and the terms accepted after all
    // meet the recorded decline.
    expect((await arrived.browser.get(arrived.interactionPath)).text).toContain('Step 1 of 2');
    const changedMind = await answer(arrived, 'accept');
    expect(changedMind.status).toBe(409);
    expect(changedMind.headers.location).toBeUndefined();
    expect(changedMind.text).toContain('You declined');
    expect((await ledgerRows(hook)).map((r) => [r.step, r.decision])).toEqual([['terms', 'declined']]);
  });

  it('keeps the recorded acceptance when the step is declined on the way back: the journey goes on', async () => {
    await hook.close();
    hook = await hookFixture({}, TERMS_AND_PROFILE);
    const arrived = await arrive(hook);
    failNextSessionWrite(hook.storage);
    expect((await answer(arrived, 'accept')).status).toBe(503);

    const declined = await answer(arrived, 'decline');
    expect(toTenant(declined)).toBe(false);
    expect(declined.headers.location).toBe(arrived.interactionPath);
    expect((await arrived.browser.get(arrived.interactionPath)).text).toContain('Step 2 of 2');
    expect((await ledgerRows(hook)).map((r) => [r.step, r.decision])).toEqual([['terms', 'accepted']]);
  });

  it('answers 503 when the earlier decision cannot be read, and the retry goes on', async () => {
    await hook.close();
    hook = await hookFixture({}, TERMS_AND_PROFILE);
    const arrived = await arrive(hook);
    failNextSessionWrite(hook.storage);
    expect((await answer(arrived, 'accept')).status).toBe(503);

    const storage = hook.storage;
    // Put back on the same object below, so it is called with the right `this` again.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const decisionFor = storage.ledger.decisionFor;
    storage.ledger.decisionFor = () => Promise.reject(new StorageUnavailableError(storage.engine));
    let unreadable;
    try {
      unreadable = await answer(arrived, 'accept');
    } finally {
      storage.ledger.decisionFor = decisionFor;
    }
    expect(unreadable.status).toBe(503);
    expect(unreadable.headers.location).toBeUndefined();
    expect(unreadable.text).toContain('Please try again');
    expect(hook.logs.join('')).toContain('earlier decision could not be read');

    const retry = await answer(arrived, 'accept');
    expect(retry.headers.location).toBe(arrived.interactionPath);
    expect((await arrived.browser.get(arrived.interactionPath)).text).toContain('Step 2 of 2');
  });

  it('cannot complete twice through a later step that is skipped as accepted before', async () => {
    await hook.close();
    hook = await hookFixture(
      {},
      termsConfig({ id: 'terms' }, { id: 'privacy', skipIfAccepted: true, texts: { en: 'Privacy notice.' } }),
    );
    const earlier = await arrive(hook, { payload: { sub: 'user-1' } });
    await answer(earlier, 'accept');
    await answer({ ...earlier, page: await earlier.browser.get(earlier.interactionPath) }, 'accept');

    // This time the privacy step is skipped, so accepting the terms completes the journey. The
    // session is lost behind the terms' decision: the user is asked to try again.
    const arrived = await arrive(hook, { payload: { sub: 'user-1' } });
    failNextSessionWrite(hook.storage);
    expect((await answer(arrived, 'accept')).status).toBe(503);

    // Submitted again, the terms go on from their decision, privacy is skipped, and the one way
    // back is made; every later submit gets that same way back, then a page — never a second token.
    const done = await answer(arrived, 'accept');
    expect(toTenant(done)).toBe(true);
    expect((await answer(arrived, 'accept')).headers.location).toBe(done.headers.location);
    hook.clock.advance(61);
    const last = await answer(arrived, 'accept');
    expect(toTenant(last)).toBe(false);
    expect(last.status).toBe(409);
    expect((await ledgerRows(hook)).filter((r) => r.state === arrived.state).map((r) => [r.step, r.decision])).toEqual([
      ['terms', 'accepted'],
      ['privacy', 'already_accepted'],
    ]);
  });
});
