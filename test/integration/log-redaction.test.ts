import { afterEach, beforeEach, expect, it } from 'vitest';
import { csrfFrom, hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { answer, arrive } from '../support/journey.js';
import { refuseWrites } from '../support/ledger-faults.js';

let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture({ ARRIVAL_RATE_LIMIT: '40' });
});
afterEach(async () => {
  await hook.close();
});

it('never logs a session token, the hook or session secret, a cookie, a CSRF token or a query string', async () => {
  // A journey with a failed write and a retry, then every kind of refusal, with secrets in all the usual places.
  const arrived = await arrive(hook);
  const cookie = ([] as string[]).concat(arrived.arrival.headers['set-cookie'] ?? []).join(';');
  const csrf = csrfFrom(arrived.page.text);
  const lift = await refuseWrites(hook.settings);
  expect((await answer(arrived, 'accept')).status).toBe(503);
  await lift();
  const done = await answer(arrived, 'accept');
  expect(done.status).toBe(303);
  const returned = new URL(done.headers.location!).searchParams.get('session_token')!;

  const [, payload, signature] = arrived.token.split('.');
  const tampered = `${arrived.token.slice(0, -4)}AAAA`;
  const expired = (await hook.mint({ lifetimeSeconds: 1, now: new Date(Date.now() - 3_600_000) })).token;
  const refusals = [
    await arrived.browser.get(`/callback?session_token=${arrived.token}`),
    await hook.browser().get(`/callback?session_token=${tampered}`),
    await hook.browser().get(`/callback?session_token=${expired}`),
    await hook.browser().get(`/callback?session_token=${arrived.token}&pad=${'p'.repeat(2100)}`),
    await hook.browser().get(`/elsewhere?session_token=${arrived.token}&secret=${encodeURIComponent(hook.secret)}`),
    await hook
      .browser()
      .get('/interaction/000000000000AAAAAAAAAAAAAAAAAAAAAA')
      .set('Authorization', `Bearer ${arrived.token}`)
      .set('Cookie', `other=${hook.secret}`),
    await arrived.browser
      .post(arrived.interactionPath)
      .type('form')
      .send({ _csrf: csrf, session_token: arrived.token, decision: 'accept' }),
    await arrived.browser
      .post(arrived.interactionPath)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set('Content-Encoding', 'gzip')
      .send(`_csrf=${csrf}`),
  ];
  // The finished journey's resubmit is answered with its one redirect again (its token still valid).
  expect(refusals.map((r) => r.status)).toEqual([409, 401, 401, 414, 404, 404, 303, 400]);
  await hook.storage.close(); // and the storage gone, whose cause is logged
  expect((await arrived.browser.get(arrived.interactionPath)).status).toBe(503);

  const output = hook.logs.join('');
  // The log is not empty: the events are there, just not the secrets.
  for (const event of [
    'journey started',
    'decision could not be recorded',
    'journey finished',
    'request refused',
    'request failed',
  ])
    expect(output).toContain(event);

  const sid = /hook\.sid=s%3A([^.;]+)/.exec(cookie)?.[1];
  expect(sid).toBeTruthy();
  const secrets: Record<string, string> = {
    'arriving token payload': payload!,
    'arriving token signature': signature!,
    'returned token': returned.split('.')[2]!,
    'tampered token': tampered.slice(-40),
    'expired token': expired.split('.')[2]!,
    'hook secret': hook.secret,
    'hook secret (url-encoded)': encodeURIComponent(hook.secret),
    'session secret': hook.settings.sessionSecret!,
    'session id': sid!,
    'csrf token': csrf,
  };
  for (const [name, value] of Object.entries(secrets)) expect(output.includes(value), name).toBe(false);
  expect(output).not.toContain('session_token');
  expect(output).not.toContain('Bearer');

  const lines = hook.logs
    .flatMap((chunk) => chunk.split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { req?: { path?: string } });
  const paths = lines.map((l) => l.req?.path).filter((p): p is string => p !== undefined);
  expect(paths.length).toBeGreaterThan(10);
  for (const p of paths) expect(p).not.toMatch(/[?#]/);
});
