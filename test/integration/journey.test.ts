import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { RETURN_PATH } from '../../src/simulator/tenant-simulator.js';
import { TERMS_DECLINED_MESSAGE } from '../../src/interaction/steps/terms/terms-step.js';
import request from 'supertest';
import {
  csrfFrom,
  hookFixture,
  HTTPS_HOOK_URL,
  pathOf,
  TENANT_URL,
  type HookFixture,
} from '../support/hook-fixture.js';

let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture();
});
afterEach(async () => {
  await hook.close();
});

/** Arrives with a fresh token and returns the browser, the step page and the state sent. */
async function arrive(claims: Record<string, unknown> = { given_name: 'Mere' }) {
  const browser = hook.browser();
  const { token, state } = await hook.mint({ claims });
  const arrival = await browser.get(`/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const page = await browser.get(arrival.headers.location!);
  expect(page.status).toBe(200);
  return { browser, state, interactionPath: arrival.headers.location!, page, token };
}

describe('the happy path', () => {
  it('moves the token out of the address bar, shows the terms, and returns a verified success token', async () => {
    const { browser, state, interactionPath, page } = await arrive();

    expect(interactionPath).toMatch(/^\/interaction\/[0-9a-f]{12}[A-Za-z0-9_-]{22}$/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Terms of use');
    expect(page.text).toMatch(/<input type="checkbox" id="accept_terms" name="accept_terms" value="yes"\s*>/);
    expect(page.text).not.toMatch(/checked/);

    const done = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });

    expect(done.status).toBe(303);
    const back = new URL(done.headers.location!);
    expect(back.origin).toBe(TENANT_URL);
    expect(back.pathname).toBe(RETURN_PATH);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      back.searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toMatchObject({ kind: 'success', state, claims: {}, claimsToPersist: [] });
    expect(outcome.lifetimeSeconds).toBeLessThanOrEqual(60);

    // The simulated tenant accepts it too, and shows the outcome.
    const shown = await request(hook.simulator.app).get(pathOf(done.headers.location!));
    expect(shown.status).toBe(400); // the simulator did not start this journey itself, so its state is unknown
    expect(shown.text).toContain('not one this tenant sent');
  });

  it('runs end to end through the simulator: start page → hook → back to the tenant', async () => {
    const tenant = request.agent(hook.simulator.app);
    const started = await tenant
      .post('/start')
      .type('form')
      .send({ claims: '{"given_name":"Mere","email":"m@example.com"}' });
    expect(started.status).toBe(303);
    const browser = hook.browser();
    const arrival = await browser.get(pathOf(started.headers.location!));
    const page = await browser.get(arrival.headers.location!);
    expect(page.text).toContain('Hello Mere,');
    const done = await browser
      .post(arrival.headers.location!)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
    const shown = await tenant.get(pathOf(done.headers.location!));
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Credential would be issued');
    expect(hook.simulator.outcomes).toHaveLength(1);
    expect(hook.simulator.outcomes[0]).toMatchObject({ kind: 'success', claimsSent: { email: 'm@example.com' } });
  });

  it('records the accepted terms version and the hash of the text shown before redirecting', async () => {
    const { browser, interactionPath, page, state } = await arrive();
    await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      state,
      step: 'terms',
      decision: 'accepted',
      termsVersion: '2026-11',
      locale: 'en',
    });
    expect(rows[0]!.termsHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('decline and validation', () => {
  it('signs a failure token with the state unchanged when the user declines', async () => {
    const { browser, state, interactionPath, page } = await arrive();
    const done = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'decline' });
    expect(done.status).toBe(303);
    const back = new URL(done.headers.location!);
    expect(back.origin).toBe(TENANT_URL);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      back.searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toEqual({ kind: 'failure', state, message: TERMS_DECLINED_MESSAGE, lifetimeSeconds: 60 });
  });

  it('shows the page again with 422 and an announced error when Accept comes without the checkbox', async () => {
    const { browser, interactionPath, page } = await arrive();
    const again = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), decision: 'accept' });
    expect(again.status).toBe(422);
    expect(again.text).toContain('role="alert"');
    expect(again.text).toContain('Tick the box to accept the terms');
    expect(again.text).toContain('aria-invalid="true"');
    // Nothing was decided: the user can still accept.
    const done = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), accept_terms: 'yes', decision: 'accept' });
    expect(done.status).toBe(303);
  });

  it('treats an unknown decision or repeated fields as no decision', async () => {
    const { browser, interactionPath, page } = await arrive();
    const csrf = csrfFrom(page.text);
    const odd = await browser
      .post(interactionPath)
      .type('form')
      .send(`_csrf=${csrf}&decision=accept&decision=accept&accept_terms=yes`);
    expect(odd.status).toBe(422);
    const unknown = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrf, decision: 'maybe', accept_terms: 'yes' });
    expect(unknown.status).toBe(422);
  });
});

describe('once finished, never a second redirect', () => {
  it('repeats the same redirect with the same token to a resubmit and the back button while that token is valid, then says "already completed"', async () => {
    const { browser, interactionPath, page, token } = await arrive();
    const csrf = csrfFrom(page.text);
    const first = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrf, accept_terms: 'yes', decision: 'accept' });
    expect(first.status).toBe(303);
    expect(new URL(first.headers.location!).origin).toBe(TENANT_URL);

    // A second tap (the browser dropped the first answer), a reload, Back: the same way back, not a new token.
    const resubmit = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrf, accept_terms: 'yes', decision: 'accept' });
    expect(resubmit.status).toBe(303);
    expect(resubmit.headers.location).toBe(first.headers.location);
    // A reload or Back (a GET) is not sent on again: a page says the wallet continues, its button the same way back.
    const back = await browser.get(interactionPath);
    expect(back.status).toBe(200);
    expect(back.headers.location).toBeUndefined();
    expect(back.headers['cache-control']).toBe('no-store');
    expect(back.text).toContain('You have finished here');
    expect(back.text).toContain(`href="${first.headers.location!.replaceAll('&', '&amp;')}"`);
    const switched = await browser.get(`${interactionPath}?lang=fr`);
    const inFrench = await browser.get(switched.headers.location ?? interactionPath);
    expect(inFrench.status).toBe(200);
    expect(inFrench.text).toContain('Vous avez terminé ici');
    expect(inFrench.text).toContain('Retourner dans votre portefeuille');
    await browser.get(`${interactionPath}?lang=en`);

    // Once that token has run out: a clear page, never a second token.
    hook.clock.advance(61);
    const late = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrf, accept_terms: 'yes', decision: 'accept' });
    expect(late.status).toBe(409);
    expect(late.headers.location).toBeUndefined();
    expect(late.text).toContain('Already completed');
    expect((await browser.get(interactionPath)).status).toBe(409);

    const replay = await browser.get(`/callback?session_token=${token}`);
    expect(replay.status).toBe(409);
    expect(replay.text).toContain('already been used');
    const elsewhere = await hook.browser().get(`/callback?session_token=${token}`);
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.headers.location).toBeUndefined();
  });

  it('gives every one of several simultaneous final submits the one token, and records one decision', async () => {
    const { browser, interactionPath, page } = await arrive();
    const csrf = csrfFrom(page.text);
    const submits = await Promise.all(
      Array.from({ length: 5 }, () =>
        browser.post(interactionPath).type('form').send({ _csrf: csrf, accept_terms: 'yes', decision: 'accept' }),
      ),
    );
    expect(submits.map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
    expect(new Set(submits.map((r) => r.headers.location)).size).toBe(1);
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows.map((r) => r.decision)).toEqual(['accepted']);
  });
});

describe('sessions', () => {
  it('takes a second journey in the same browser to its step, and through to the tenant', async () => {
    const browser = hook.browser();
    for (let round = 0; round < 2; round++) {
      const { token, state } = await hook.mint();
      const arrival = await browser.get(`/callback?session_token=${token}`);
      expect(arrival.status).toBe(303);
      const page = await browser.get(arrival.headers.location!);
      expect(page.status).toBe(200);
      const done = await browser
        .post(arrival.headers.location!)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
      expect(
        await readReturnToken(
          hook.simulator.identity,
          new URL(done.headers.location!).searchParams.get('session_token')!,
          hook.clock.now(),
        ),
      ).toMatchObject({ kind: 'success', state });
    }
  });

  it('keeps two interactions of two browsers apart', async () => {
    const one = await hook.mint();
    const two = await hook.mint();
    const browserA = hook.browser();
    const browserB = hook.browser();
    const a = (await browserA.get(`/callback?session_token=${one.token}`)).headers.location!;
    const b = (await browserB.get(`/callback?session_token=${two.token}`)).headers.location!;
    expect(a).not.toBe(b);
    const pageA = await browserA.get(a);
    const pageB = await browserB.get(b);
    const doneB = await browserB
      .post(b)
      .type('form')
      .send({ _csrf: csrfFrom(pageB.text), decision: 'decline' });
    const doneA = await browserA
      .post(a)
      .type('form')
      .send({ _csrf: csrfFrom(pageA.text), accept_terms: 'yes', decision: 'accept' });
    const outA = await readReturnToken(
      hook.simulator.identity,
      new URL(doneA.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    const outB = await readReturnToken(
      hook.simulator.identity,
      new URL(doneB.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outA).toMatchObject({ kind: 'success', state: one.state });
    expect(outB).toMatchObject({ kind: 'failure', state: two.state });
  });

  it('refuses an interaction id that belongs to another session', async () => {
    const { interactionPath, page } = await arrive();
    const stranger = hook.browser();
    const look = await stranger.get(interactionPath);
    expect(look.status).toBe(404);
    // The stranger has a session of their own (and so a CSRF token), but not this interaction.
    const own = await arrive();
    const post = await own.browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(own.page.text), accept_terms: 'yes', decision: 'accept' });
    expect(post.status).toBe(404);
    expect(post.headers.location).toBeUndefined();
    expect(page.status).toBe(200);
  });

  it('sets HttpOnly, SameSite=Lax, Secure, __Host- cookies on https: the session and its browser binding', async () => {
    await hook.close();
    hook = await hookFixture({ HOOK_URL: HTTPS_HOOK_URL });
    const browser = hook.browser();
    const { token } = await hook.mint();
    const arrival = await browser.get(`/callback?session_token=${token}`);
    const cookies = ([] as string[]).concat(arrival.headers['set-cookie'] ?? []);
    expect(cookies.map((c) => c.split('=')[0]).sort()).toEqual(['__Host-hook.bind', '__Host-hook.sid']);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/HttpOnly/);
      expect(cookie).toMatch(/Secure/);
      expect(cookie).toMatch(/SameSite=Lax/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain=/i);
    }
  });

  it('survives a restart of the process mid-journey', async () => {
    const { browser, interactionPath, page, state } = await arrive();
    await hook.restart();
    const again = await browser.get(interactionPath);
    expect(again.status).toBe(200);
    const done = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
    expect(done.status).toBe(303);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(done.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome.state).toBe(state);
  });

  it('ends an interaction past its deadline with 410, records it expired, and does not redirect', async () => {
    const { browser, interactionPath, page, state } = await arrive();
    hook.clock.advance(hook.settings.interactionTimeoutSeconds + 1);
    const late = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' });
    expect(late.status).toBe(410);
    expect(late.headers.location).toBeUndefined();
    expect(late.text).toContain('This took too long');
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows).toEqual([expect.objectContaining({ state, decision: 'expired', step: 'terms' })]);
    expect((await browser.get(interactionPath)).status).toBe(410);
  });
});

describe('CSRF', () => {
  it('refuses a POST without the CSRF field, or with a wrong one, with 403 and no redirect', async () => {
    const { browser, interactionPath } = await arrive();
    const none = await browser.post(interactionPath).type('form').send({ accept_terms: 'yes', decision: 'accept' });
    expect(none.status).toBe(403);
    expect(none.headers.location).toBeUndefined();
    expect(none.text).toContain('This form has expired');
    const wrong = await browser
      .post(interactionPath)
      .type('form')
      .send({ _csrf: 'x'.repeat(64), accept_terms: 'yes', decision: 'accept' });
    expect(wrong.status).toBe(403);
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows).toEqual([]);
  });
});

describe('what users type or the tenant sends is never markup', () => {
  it('escapes claims shown on a page', async () => {
    const { page } = await arrive({ given_name: '<script>alert(1)</script>"&' });
    expect(page.text).not.toContain('<script>alert(1)');
    expect(page.text).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;,');
  });

  it('serves strict security headers on step and error pages, and HSTS on https', async () => {
    const { page } = await arrive();
    await hook.close();
    hook = await hookFixture({ HOOK_URL: HTTPS_HOOK_URL });
    const error = await hook.browser().get('/callback');
    expect(error.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    for (const res of [page, error]) {
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain(`form-action 'self' ${TENANT_URL}`);
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});
