import { gzipSync, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { csrfFrom, hookFixture, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { ledgerRows } from '../support/journey.js';
import { serveRaw, type RawResponse } from '../support/raw-http.js';
import { buildToken, mayBeAccepted, tokenRecipe, type Parties } from './token-recipes.js';

/**
 * Thousands of hostile requests at the running app. Whatever comes in: no 5xx, no redirect but to
 * the tenant's origin or to the user's own next step, and no ledger record without a valid arrival.
 * FUZZ_SCALE multiplies the runs (default 1: about 3,900 requests, well under a minute on 2 cores).
 */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * SCALE));

let hook: HookFixture;
let http: Awaited<ReturnType<typeof serveRaw>>;
let parties: Parties;
/** States of the arrivals the hook accepted: the only ones the ledger may name. */
const arrived = new Set<string>();
/** How many generated (not freshly minted) tokens the hook accepted: the oracle must see both answers. */
let acceptedGenerated = 0;
/** States the hook sent back to the tenant. */
const returned = new Set<string>();

beforeAll(async () => {
  hook = await hookFixture({ ARRIVAL_RATE_LIMIT: '0' });
  http = await serveRaw(hook.app);
  parties = {
    tenantUrl: hook.settings.tenantUrl,
    hookUrl: hook.settings.hookUrl,
    key: Buffer.from(hook.secret, 'base64'),
  };
});
afterAll(async () => {
  await http?.close();
  await hook?.close();
});

const INTERACTION_PATH = /^\/interaction\/[0-9a-f]{12}[A-Za-z0-9_-]{22}$/;

/** What must hold for every response, whatever the request. */
function checkResponse(res: RawResponse, what: string): void {
  expect(res.status, what).toBeLessThan(500);
  expect(res.status, what).toBeGreaterThanOrEqual(200);
  if (res.status >= 300 && res.status < 400) {
    const location = String(res.headers.location);
    const allowed =
      INTERACTION_PATH.test(location) || (URL.canParse(location) && new URL(location).origin === TENANT_URL);
    expect(allowed, `${what} → ${location}`).toBe(true);
  }
  if (res.status >= 400) expect(res.body, what).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
  expect(String(res.headers['content-security-policy']), what).toContain("default-src 'none'");
}

function cookieOf(res: RawResponse): string {
  return ([] as string[])
    .concat(res.headers['set-cookie'] ?? [])
    .map((c) => c.split(';')[0])
    .join('; ');
}

const headerValue = fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
const hostileHeaders = fc.record(
  {
    'accept-language': fc.oneof(
      headerValue,
      fc.constantFrom('*', 'en;q=0', 'fr-CA,fr;q=0.8,en;q=abc', 'x'.repeat(500)),
    ),
    'x-forwarded-for': fc.oneof(headerValue, fc.ipV4(), fc.ipV6()),
    'x-forwarded-proto': fc.constantFrom('https', 'http', 'gopher', ''),
    accept: fc.constantFrom('*/*', 'application/json', 'text/html;q=0', ''),
    'user-agent': headerValue,
    range: fc.constantFrom('bytes=0-0', 'bytes=-1', 'bytes=5-1', 'bytes=0-0,1-1,2-2'),
    'if-none-match': headerValue,
  },
  { requiredKeys: [] },
);

it('arrivals with mutated, forged and random tokens: only a valid token starts anything', async () => {
  await fc.assert(
    fc.asyncProperty(
      tokenRecipe,
      fc.array(fc.tuple(fc.constantFrom('session_token', 'state', 'redirectUrl', 'x'), headerValue), { maxLength: 2 }),
      hostileHeaders,
      async (recipe, extra, headers) => {
        const built = await buildToken(recipe, parties, async () => (await hook.mint()).token);
        const query = new URLSearchParams([['session_token', built.token], ...extra]).toString();
        const res = await http.send({ path: `/callback?${query}`, headers });
        checkResponse(res, `${recipe.kind} arrival`);
        if (res.status === 303) {
          // A second session_token in the query makes it an array: refused. So this was the only one.
          expect(mayBeAccepted(built.token, parties), `accepted ${recipe.kind}: ${built.token}`).toBe(true);
          expect(String(res.headers.location)).toMatch(INTERACTION_PATH);
          arrived.add(built.state!);
          acceptedGenerated += 1;
        }
      },
    ),
    { numRuns: runs(1500) },
  );
  expect(acceptedGenerated).toBeGreaterThan(runs(1500) / 50);
}, 60_000);

/** Mostly the valid value, so that many forms decide; otherwise one of the hostile ones. */
function mostly<T>(valid: T, ...others: Array<fc.Arbitrary<T>>): fc.Arbitrary<T> {
  return fc.oneof(
    { weight: others.length * 4, arbitrary: fc.constant(valid) },
    ...others.map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}

const formRecipe = fc.record({
  csrf: mostly('real', fc.constantFrom('missing', 'random', 'twice', 'empty')),
  decision: mostly<string | string[] | undefined>(
    'accept',
    fc.constant('decline'),
    fc.constant('decline'),
    fc.constantFrom(undefined, 'ACCEPT', ''),
    fc.string({ maxLength: 10 }),
    fc.constant(['accept', 'decline']),
  ),
  acceptTerms: mostly<string | undefined>(
    'yes',
    fc.constantFrom(undefined, 'no', 'YES', 'on'),
    fc.string({ maxLength: 5 }),
  ),
  step: mostly<string | undefined>(
    'terms',
    fc.constant(undefined),
    fc.constantFrom('privacy', ''),
    fc.string({ maxLength: 8 }),
  ),
  extra: fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 30 })), { maxLength: 3 }),
  contentType: mostly<string | undefined>(
    'application/x-www-form-urlencoded',
    fc.constantFrom(
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      undefined,
    ),
  ),
  encoding: mostly<string | undefined>(undefined, fc.constantFrom('gzip', 'deflate', 'identity', 'br', 'zork')),
  compress: fc.boolean(),
  raw: mostly<string | undefined>(undefined, fc.string({ unit: 'binary', maxLength: 120 })),
  target: mostly('own', fc.constantFrom('unknown', 'malformed')),
});

it('answers on the step page: forms, encodings and bodies of every kind decide only with a valid form', async () => {
  await fc.assert(
    fc.asyncProperty(formRecipe, hostileHeaders, async (form, headers) => {
      const { token, state } = await hook.mint();
      const arrival = await http.send({ path: `/callback?session_token=${token}` });
      expect(arrival.status).toBe(303);
      arrived.add(state);
      const cookie = cookieOf(arrival);
      const own = String(arrival.headers.location);
      const page = await http.send({ path: own, headers: { cookie } });
      const csrf = csrfFrom(page.body);

      const fields: Array<[string, string]> = [];
      if (form.csrf === 'real' || form.csrf === 'twice') fields.push(['_csrf', csrf]);
      if (form.csrf === 'twice') fields.push(['_csrf', csrf]);
      if (form.csrf === 'random') fields.push(['_csrf', 'A'.repeat(csrf.length)]);
      if (form.csrf === 'empty') fields.push(['_csrf', '']);
      for (const value of ([] as Array<string | undefined>).concat(form.decision))
        if (value !== undefined) fields.push(['decision', value]);
      if (form.acceptTerms !== undefined) fields.push(['accept_terms', form.acceptTerms]);
      if (form.step !== undefined) fields.push(['step', form.step]);
      fields.push(...form.extra);
      let body: Buffer = Buffer.from(form.raw ?? new URLSearchParams(fields).toString(), 'latin1');
      if (form.compress && form.encoding === 'gzip') body = gzipSync(body);
      if (form.compress && form.encoding === 'deflate') body = deflateSync(body);
      const path = {
        own,
        unknown: '/interaction/000000000000AAAAAAAAAAAAAAAAAAAAAA',
        malformed: '/interaction/%E0%A4%A',
      }[form.target];
      const requestHeaders: Record<string, string> = { ...headers, cookie };
      if (form.contentType) requestHeaders['content-type'] = form.contentType;
      if (form.encoding) requestHeaders['content-encoding'] = form.encoding;

      const res = await http.send({ method: 'POST', path, headers: requestHeaders, body });
      checkResponse(res, `form ${JSON.stringify(form)}`);
      const location = res.headers.location ?? '';
      if (URL.canParse(location) && new URL(location).origin === TENANT_URL) {
        // Only the user's own interaction, with the CSRF token of its page, can decide.
        expect(form.target).toBe('own');
        expect(['real', 'twice']).toContain(form.csrf);
        returned.add(state);
      }
    }),
    { numRuns: runs(300) },
  );
}, 90_000);

const pathSegment = fc.oneof(
  fc.constantFrom(
    'callback',
    'interaction',
    'static',
    'hook.css',
    '..',
    '%2e%2e',
    '%E0%A4%A',
    '%',
    '%zz',
    '%00',
    '%C0%AF',
    '%2F',
    'AAAAAAAAAAAAAAAAAAAAAA',
    'package.json',
  ),
  fc.string({ unit: fc.constantFrom(..."abcXYZ019-_.~!$&'()*+,;=:@%".split('')), maxLength: 12 }),
);
const queryPart = fc.tuple(
  fc.constantFrom(
    'session_token',
    'session_token[]',
    'session_token[a]',
    '__proto__',
    'constructor[prototype]',
    'a',
    '',
  ),
  fc.oneof(headerValue.map(encodeURIComponent), fc.constantFrom('%E0%A4%A', '%', '%%', 'a=b=c', '')),
);

it('random methods, paths, query strings and headers: a page, never a 5xx, a file outside public/, or a redirect elsewhere', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'),
      fc.array(pathSegment, { minLength: 1, maxLength: 4 }),
      fc.array(queryPart, { maxLength: 3 }),
      hostileHeaders,
      fc.option(fc.string({ maxLength: 100 }), { nil: undefined }),
      async (method, segments, query, headers, body) => {
        const path = `/${segments.join('/')}${query.length > 0 ? `?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : ''}`;
        const res = await http.send({ method, path, headers: { ...headers, cookie: 'hook.sid=s%3Aforged.sig' }, body });
        checkResponse(res, `${method} ${path}`);
        expect(res.body).not.toContain('mattr-interaction-hook');
        expect(res.body).not.toContain('"dependencies"');
      },
    ),
    { numRuns: runs(1500) },
  );
}, 60_000);

it('left the ledger naming only arrivals the hook accepted, with a record for every return to the tenant', async () => {
  const rows = await ledgerRows(hook);
  expect(returned.size).toBeGreaterThan(runs(300) / 20);
  for (const row of rows) expect(arrived.has(row.state), `ledger row for state ${row.state}`).toBe(true);
  const recorded = new Set(
    rows.filter((r) => r.decision === 'accepted' || r.decision === 'declined').map((r) => r.state),
  );
  for (const state of returned) expect(recorded.has(state), `redirect without a record: ${state}`).toBe(true);
  // One decision per interaction and step, whatever was thrown at it.
  expect(new Set(rows.map((r) => `${r.interactionId}/${r.step}`)).size).toBe(rows.length);
});
