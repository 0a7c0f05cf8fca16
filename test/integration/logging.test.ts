import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom, hookFixture, type HookFixture } from '../support/hook-fixture.js';

let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture();
});
afterEach(async () => {
  await hook.close();
});

interface Line {
  level: number;
  time: number;
  service: string;
  msg: string;
  req?: { id: string; method: string; path: string };
  res?: { statusCode: number };
  code?: string;
}

const parsed = () => hook.logs.map((l) => JSON.parse(l) as Line);

describe('the log', () => {
  it('is one JSON line per event, and never holds a token, cookie, CSRF token or secret', async () => {
    const browser = hook.browser();
    const { token } = await hook.mint({ claims: { given_name: 'Mere' } });
    const arrival = await browser.get(`/callback?session_token=${token}`);
    const cookie = ([] as string[])
      .concat(arrival.headers['set-cookie'] ?? [])
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const page = await browser.get(arrival.headers.location!);
    const csrf = csrfFrom(page.text);
    const done = await browser
      .post(arrival.headers.location!)
      .type('form')
      .send({ _csrf: csrf, accept_terms: 'yes', decision: 'accept' });
    const returned = new URL(done.headers.location!).searchParams.get('session_token')!;
    // Refusals log too: a replay, a forged token, a bad CSRF field.
    await hook.browser().get(`/callback?session_token=${token}`);
    await hook.browser().get(`/callback?session_token=${token.slice(0, -4)}AAAA`);
    await browser
      .post(arrival.headers.location!)
      .type('form')
      .send({ _csrf: 'x'.repeat(40), decision: 'decline' });

    const lines = parsed();
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines)
      expect(line).toMatchObject({ service: 'interaction-hook', level: expect.any(Number), time: expect.any(Number) });
    const all = hook.logs.join('');
    const secrets = [
      token,
      token.split('.')[2]!,
      returned,
      returned.split('.')[2]!,
      cookie,
      cookie.split('=')[1]!,
      csrf,
      hook.secret,
      hook.settings.sessionSecret!,
    ];
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toContain('session_token=');
    // What the log does say: each request's method, path (no query) and status, and the journey's events.
    expect(lines).toContainEqual(
      expect.objectContaining({
        req: expect.objectContaining({ method: 'GET', path: '/callback' }),
        res: { statusCode: 303 },
      }),
    );
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['journey started', 'journey finished']));
    expect(lines.filter((l) => l.code).map((l) => l.code)).toEqual([
      'token_replayed',
      'token_bad_signature',
      'csrf_invalid',
    ]);
  });

  it('gives each request an id that the error page quotes as its reference and the log lines carry', async () => {
    const res = await hook.browser().get('/callback?session_token=forged');
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(res.text).toContain(id);
    const mine = parsed().filter((l) => l.req?.id === id);
    expect(mine.map((l) => l.code ?? l.res?.statusCode)).toEqual(['token_malformed', 400]);
    const other = await hook.browser().get('/callback');
    expect(other.headers['x-request-id']).not.toBe(id);
  });

  it('logs a refused request at warn and a failed one at error, each with its status and no stack', async () => {
    const refused = await hook.browser().get('/callback?session_token=forged');
    const arrived = await hook.browser().get(`/callback?session_token=${(await hook.mint()).token}`);
    await hook.storage.close(); // the database goes away under the running app
    expect([refused.status, arrived.status]).toEqual([400, 303]);
    const unavailable = await hook
      .browser()
      .get(arrived.headers.location!)
      .set(
        'Cookie',
        ([] as string[])
          .concat(arrived.headers['set-cookie'] ?? [])
          .map((c) => c.split(';')[0]!)
          .join('; '),
      );
    expect(unavailable.status).toBe(503);
    const lineOf = (res: { headers: Record<string, string> }) =>
      parsed().find((l) => l.req?.id === res.headers['x-request-id'] && l.res !== undefined);
    expect(lineOf(refused)).toMatchObject({ level: 40, msg: 'request completed', res: { statusCode: 400 } });
    expect(lineOf(unavailable)).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 503 } });
    expect(JSON.stringify(lineOf(unavailable))).not.toMatch(/\bat .+:\d+:\d+/);
  });
});
