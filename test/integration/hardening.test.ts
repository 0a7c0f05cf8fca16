import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request, { type Response } from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH } from '../../src/web/request-limits.js';
import { csrfFrom, hookFixture, HTTPS_HOOK_URL, type HookFixture } from '../support/hook-fixture.js';
import { answer, arrive, ledgerRows } from '../support/journey.js';
import { refuseWrites } from '../support/ledger-faults.js';

let hook: HookFixture | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

/** Signs of a stack trace or an internal message on a page. */
const STACK = /\bat [\w.<>]+ \(|node_modules|\/src\/|\.ts:\d+|Error:|SqliteError|connection is not open/;

function sessionCookie(res: Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.map((c) => c.split(';')[0]!).find((c) => /hook\.sid=/.test(c));
}

function bindingCookie(res: Response): string | undefined {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.map((c) => c.split(';')[0]!).find((c) => /hook\.bind=/.test(c));
}

function expectStrictHeaders(res: Response, what: string, https = false): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("script-src 'self'");
  expect(csp, what).not.toContain('unsafe-inline');
  expect(res.headers['referrer-policy'], what).toBe('no-referrer');
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['x-powered-by'], what).toBeUndefined();
  if (https) expect(res.headers['strict-transport-security'], what).toMatch(/max-age=31536000/);
}

describe('headers on every page', () => {
  it('puts the strict headers, and no-store, on step pages and every kind of error page', async () => {
    hook = await hookFixture({ ARRIVAL_RATE_LIMIT: '2' });
    const arrived = await arrive(hook);
    const pages: Array<[string, Response]> = [['step page', arrived.page]];
    pages.push([
      '422',
      await arrived.browser
        .post(arrived.interactionPath)
        .type('form')
        .send({ _csrf: csrfFrom(arrived.page.text), decision: 'accept' }),
    ]);
    pages.push([
      '403 csrf',
      await arrived.browser.post(arrived.interactionPath).type('form').send({ decision: 'accept' }),
    ]);
    pages.push([
      '413 body',
      await arrived.browser
        .post(arrived.interactionPath)
        .type('form')
        .send(`a=${'x'.repeat(20_000)}`),
    ]);
    pages.push([
      '415 charset',
      await arrived.browser
        .post(arrived.interactionPath)
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-16')
        .send('a=b'),
    ]);
    const lift = await refuseWrites(hook.settings);
    pages.push(['503', await answer(arrived, 'accept')]);
    await lift();
    pages.push(['303 to tenant', await answer(arrived, 'accept')]);
    // Once the token sent back has run out, a finished journey has only its "already completed" page.
    hook.clock.advance(61);
    pages.push(['409 finished', await arrived.browser.get(arrived.interactionPath)]);
    pages.push(['400 no token', await hook.browser().get('/callback')]);
    pages.push(['429 too many', await hook.browser().get('/callback')]);
    pages.push(['404', await hook.browser().get('/nothing-here')]);
    pages.push(['404 interaction', await hook.browser().get('/interaction/000000000000AAAAAAAAAAAAAAAAAAAAAA')]);
    pages.push(['400 bad encoding', await hook.browser().get('/interaction/%E0%A4%A')]);
    pages.push(['414', await hook.browser().get(`/x?${'a'.repeat(MAX_URL_LENGTH)}`)]);
    pages.push(['static', await hook.browser().get('/static/hook.css')]);

    expect(pages.map(([what, res]) => `${what}: ${res.status}`)).toEqual([
      'step page: 200',
      '422: 422',
      '403 csrf: 403',
      '413 body: 413',
      '415 charset: 415',
      '503: 503',
      '303 to tenant: 303',
      '409 finished: 409',
      '400 no token: 400',
      '429 too many: 429',
      '404: 404',
      '404 interaction: 404',
      '400 bad encoding: 400',
      '414: 414',
      'static: 200',
    ]);
    for (const [what, res] of pages) {
      expectStrictHeaders(res, what);
      if (what !== 'static') expect(res.headers['cache-control'], what).toBe('no-store');
      if (res.status >= 400 && res.status !== 422) {
        expect(res.headers['content-type'], what).toMatch(/^text\/html/);
        expect(res.text, what).toMatch(/class="reference"/);
        expect(res.text, what).not.toMatch(STACK);
      }
    }
  });

  it('adds HSTS on https, to arrivals and error pages alike', async () => {
    hook = await hookFixture({ HOOK_URL: HTTPS_HOOK_URL, ARRIVAL_RATE_LIMIT: '1' });
    const pages: Array<[string, Response]> = [
      ['arrival', await hook.browser().get(`/callback?session_token=${(await hook.mint()).token}`)],
      ['429', await hook.browser().get('/callback')],
      ['404', await hook.browser().get('/nothing-here')],
      ['414', await hook.browser().get(`/x?${'a'.repeat(MAX_URL_LENGTH)}`)],
    ];
    expect(pages.map(([, res]) => res.status)).toEqual([303, 429, 404, 414]);
    for (const [what, res] of pages) expectStrictHeaders(res, what, true);
  });
});

describe('the session cookie', () => {
  it('gives the session a new id at every arrival and keeps the journeys of other tabs: both finish, each page says whose it is', async () => {
    hook = await hookFixture();
    const browser = hook.browser();
    const first = await arrive(hook, { claims: { email: 'ana@example.org' } }, browser);
    const firstCookie = sessionCookie(first.arrival)!;
    expect(first.page.text).toContain('Credential for a•••@example.org');

    // A second arrival in the same browser (another tab, or a link someone else sent it).
    const second = await arrive(hook, { claims: { email: 'mallory@example.org' } }, browser);
    const secondCookie = sessionCookie(second.arrival)!;
    expect(secondCookie).toBeDefined();
    expect(secondCookie).not.toBe(firstCookie);
    expect(second.page.text).toContain('Credential for m•••@example.org');
    // The old id holds nothing any more.
    expect((await request(hook.app).get(first.interactionPath).set('Cookie', firstCookie)).status).toBe(404);

    // The first tab's page, loaded before the second arrival, still works, and still says whose it is.
    const reloaded = await browser.get(first.interactionPath);
    expect(reloaded.status).toBe(200);
    expect(reloaded.text).toContain('Credential for a•••@example.org');
    const firstDone = await answer(first, 'accept');
    expect(firstDone.status).toBe(303);
    expect(new URL(firstDone.headers.location!).searchParams.get('session_token')).toBeTruthy();
    expect((await answer(second, 'accept')).status).toBe(303);
    expect((await ledgerRows(hook)).map((row) => row.interactionId).sort()).toEqual(
      [first, second].map((a) => a.interactionPath.split('/').pop()).sort(),
    );
  });

  it('carries over only journeys still live: a finished one stays behind', async () => {
    hook = await hookFixture();
    const browser = hook.browser();
    const first = await arrive(hook, {}, browser);
    expect((await answer(first, 'accept')).status).toBe(303);
    await arrive(hook, {}, browser);
    expect((await browser.get(first.interactionPath)).status).toBe(404);
  });

  it('makes a planted session worthless: the victim gets a new id and CSRF token, and none of the planted journeys', async () => {
    hook = await hookFixture();
    // The attacker gets a session of their own, reads its CSRF token, then plants its cookie in the victim's browser.
    const attacker = await arrive(hook, {}, request.agent(hook.app));
    const planted = sessionCookie(attacker.arrival)!;
    const plantedCsrf = csrfFrom(attacker.page.text);
    const victim = await request(hook.app)
      .get(`/callback?session_token=${(await hook.mint()).token}`)
      .set('Cookie', planted);
    const victimCookie = sessionCookie(victim)!;
    expect(victimCookie).toBeDefined();
    expect(victimCookie).not.toBe(planted);
    // The victim's journey is reachable with the victim's new cookie only, with a CSRF token of its own.
    const page = await request(hook.app).get(victim.headers.location!).set('Cookie', victimCookie);
    expect(page.status).toBe(200);
    expect(csrfFrom(page.text)).not.toBe(plantedCsrf);
    expect((await request(hook.app).get(victim.headers.location!).set('Cookie', planted)).status).toBe(404);
    // The planted session's interaction did not come along into the victim's session.
    expect((await request(hook.app).get(attacker.interactionPath).set('Cookie', victimCookie)).status).toBe(404);
    // And the planted CSRF token does not answer the victim's step.
    const forged = await request(hook.app)
      .post(victim.headers.location!)
      .set('Cookie', victimCookie)
      .type('form')
      .send({ _csrf: plantedCsrf, accept_terms: 'yes', decision: 'accept' });
    expect(forged.status).toBe(403);
    expect(await ledgerRows(hook)).toEqual([]);
  });

  it('carries nothing over from a session planted in a browser that has a binding of its own', async () => {
    hook = await hookFixture();
    const attacker = await arrive(hook, {}, request.agent(hook.app));
    // The victim's browser has a session and a binding cookie of its own; the attacker replaces the session cookie only.
    const victim = await request(hook.app).get(`/callback?session_token=${(await hook.mint()).token}`);
    const binding = bindingCookie(victim)!;
    expect(binding).toMatch(/^hook\.bind=[\w-]{43}$/);
    const next = await request(hook.app)
      .get(`/callback?session_token=${(await hook.mint()).token}`)
      .set('Cookie', [sessionCookie(attacker.arrival)!, binding].join('; '));
    expect(next.status).toBe(303);
    const cookie = [sessionCookie(next)!, bindingCookie(next)!].join('; ');
    expect((await request(hook.app).get(next.headers.location!).set('Cookie', cookie)).status).toBe(200);
    expect((await request(hook.app).get(attacker.interactionPath).set('Cookie', cookie)).status).toBe(404);
    // Its own session presented with its own binding carries over: the test above is not vacuous.
    const own = await request(hook.app)
      .get(`/callback?session_token=${(await hook.mint()).token}`)
      .set('Cookie', cookie);
    expect(
      (
        await request(hook.app)
          .get(next.headers.location!)
          .set('Cookie', [sessionCookie(own)!, bindingCookie(own)!].join('; '))
      ).status,
    ).toBe(200);
  });

  it('answers a stale form of a journey it still holds with a way back to the same step', async () => {
    hook = await hookFixture();
    const browser = hook.browser();
    const first = await arrive(hook, {}, browser);
    // A stale form on a journey still held: "Try again" leads back to the same step.
    const stale = await first.browser
      .post(first.interactionPath)
      .type('form')
      .send({ _csrf: 'not-the-token', decision: 'accept' });
    expect(stale.status).toBe(403);
    expect(stale.text).toContain(`href="${first.interactionPath}">Try again</a>`);
    expect((await answer(first, 'accept')).status).toBe(303);
  });
});

describe('limits', () => {
  it(`answers a URL over ${MAX_URL_LENGTH} characters with 414 and a page, and never reads its token`, async () => {
    hook = await hookFixture();
    const { token } = await hook.mint();
    const padded = `/callback?session_token=${token}&pad=${'x'.repeat(MAX_URL_LENGTH)}`;
    const tooLong = await hook.browser().get(padded);
    expect(tooLong.status).toBe(414);
    expect(tooLong.text).toContain('This link is too long');
    // The token was not used: it still works on a URL of a sane length.
    expect((await hook.browser().get(`/callback?session_token=${token}`)).status).toBe(303);
    const atLimit = `/nothing?${'y'.repeat(MAX_URL_LENGTH - '/nothing?'.length)}`;
    expect(atLimit.length).toBe(MAX_URL_LENGTH);
    expect((await hook.browser().get(atLimit)).status).toBe(404);
  });

  it('refuses bodies over 16 kB and forms with over 100 fields, deciding nothing', async () => {
    hook = await hookFixture();
    const arrived = await arrive(hook);
    const csrf = csrfFrom(arrived.page.text);
    const big = await arrived.browser
      .post(arrived.interactionPath)
      .type('form')
      .send(`_csrf=${csrf}&accept_terms=yes&decision=accept&pad=${'x'.repeat(17_000)}`);
    expect(big.status).toBe(413);
    const many = Array.from({ length: 120 }, (_, i) => `f${i}=1`).join('&');
    const fields = await arrived.browser
      .post(arrived.interactionPath)
      .type('form')
      .send(`_csrf=${csrf}&accept_terms=yes&decision=accept&${many}`);
    expect(fields.status).toBe(413);
    expect(await ledgerRows(hook)).toEqual([]);
    expect((await answer(arrived, 'accept')).status).toBe(303);
  });

  it('limits arrivals per client IP per minute with a 429 page, leaving the token usable', async () => {
    hook = await hookFixture({ ARRIVAL_RATE_LIMIT: '3', TRUST_PROXY: 'true' });
    const from = (ip: string) => hook!.browser().set('X-Forwarded-For', ip);
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7').get('/callback')).status).toBe(400);
    const { token } = await hook.mint();
    const limited = await from('203.0.113.7').get(`/callback?session_token=${token}`);
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Too many attempts');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers.location).toBeUndefined();
    // Another address has its own allowance, and the refused token was never claimed.
    expect((await from('198.51.100.20').get(`/callback?session_token=${token}`)).status).toBe(303);
    // Step pages are not arrival: they are not counted.
    const arrived = await arrive(hook, {}, from('198.51.100.21'));
    for (let i = 0; i < 5; i++) expect((await arrived.browser.get(arrived.interactionPath)).status).toBe(200);
  });

  it('allows 120 arrivals a minute by default, and no limit with ARRIVAL_RATE_LIMIT=0', async () => {
    hook = await hookFixture();
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) statuses.push((await hook.browser().get('/callback')).status);
    expect(statuses.slice(0, 120).every((s) => s === 400)).toBe(true);
    expect(statuses[120]).toBe(429);
    await hook.close();

    hook = await hookFixture({ ARRIVAL_RATE_LIMIT: '0' });
    for (let i = 0; i < 150; i++) expect((await hook.browser().get('/callback')).status).toBe(400);
  });
});

describe('error pages never show a stack trace', () => {
  for (const NODE_ENV of ['production', 'development']) {
    it(`in ${NODE_ENV}: malformed URLs, bad encodings, a broken database`, async () => {
      hook = await hookFixture({ NODE_ENV });
      const arrived = await arrive(hook);
      const post = (type: string, body: string, encoding?: string) => {
        const req = arrived.browser.post(arrived.interactionPath).set('Content-Type', type);
        return (encoding ? req.set('Content-Encoding', encoding) : req).send(body);
      };
      const cases: Array<[string, Response, number]> = [
        ['bad percent-encoding', await hook.browser().get('/%E0%A4%A'), 404],
        ['bad percent-encoding in an id', await hook.browser().get('/interaction/%E0%A4%A'), 400],
        ['bad percent-encoding under static', await hook.browser().get('/static/%E0%A4%A'), 404],
        ['bad percent-encoding in the token', await hook.browser().get('/callback?session_token=%E0%A4%A'), 400],
        ['repeated token', await hook.browser().get('/callback?session_token=a&session_token=b'), 400],
        ['token as an object', await hook.browser().get('/callback?session_token[a]=b'), 400],
        ['JSON body', await post('application/json', '{"decision":'), 403],
        ['utf-16 form', await post('application/x-www-form-urlencoded; charset=utf-16', 'a=b'), 415],
        [
          'bad percent-encoding in a form',
          await post('application/x-www-form-urlencoded', `_csrf=${csrfFrom(arrived.page.text)}&decision=%E0%A4%A`),
          422,
        ],
        ['garbage gzip', await post('application/x-www-form-urlencoded', 'not gzip at all', 'gzip'), 400],
        ['unknown encoding', await post('application/x-www-form-urlencoded', 'a=b', 'zork'), 415],
        ['unsupported method', await hook.browser().delete(arrived.interactionPath), 404],
      ];
      await hook.storage.close(); // the database goes away under the running app
      cases.push(['database gone', await arrived.browser.get(arrived.interactionPath), 503]);

      for (const [what, res, status] of cases) {
        expect(`${what}: ${res.status}`).toBe(`${what}: ${status}`);
        expect(res.headers['content-type'], what).toMatch(/^text\/html/);
        expect(res.text, what).toContain('<h1>');
        expect(res.text, what).not.toMatch(STACK);
        expect(res.headers.location, what).toBeUndefined();
      }
      expect(cases.at(-1)![1].text).toContain('We cannot reach our records just now');
    });
  }

  it('falls back to a plain page when even the error page cannot be rendered', async () => {
    hook = await hookFixture({ NODE_ENV: 'development' });
    const empty = mkdtempSync(path.join(tmpdir(), 'no-views-'));
    try {
      hook.app.set('views', empty);
      const res = await hook.browser().get('/callback');
      expect(res.status).toBe(400);
      expect(res.text).toContain('Something went wrong on our side');
      expect(res.text).not.toMatch(STACK);
      expect(hook.logs.join('')).toContain('error page could not be rendered');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
