import { afterEach, describe, expect, it } from 'vitest';
import { csrfFrom, hookFixture, HTTPS_HOOK_URL, type HookFixture } from '../support/hook-fixture.js';

let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

describe('arrival edges', () => {
  it('answers HEAD on the callback without spending the token: the GET after it still gets in', async () => {
    hook = await hookFixture();
    const { token } = await hook.mint();
    const head = await hook.browser().head(`/callback?session_token=${token}`);
    expect(head.status).toBe(200);
    expect(head.headers['set-cookie']).toBeUndefined();
    expect(head.headers.location).toBeUndefined();
    const arrival = await hook.browser().get(`/callback?session_token=${token}`);
    expect(arrival.status).toBe(303);
    expect(arrival.headers.location).toMatch(/^\/interaction\//);
  });

  it('refuses an https hook reached without the proxy’s X-Forwarded-Proto before spending the token, and names the fix in the log', async () => {
    hook = await hookFixture({ HOOK_URL: HTTPS_HOOK_URL });
    const { token } = await hook.mint();
    // supertest straight at the app: no TLS proxy in front, so no X-Forwarded-Proto.
    const { default: request } = await import('supertest');
    const direct = await request(hook.app).get(`/callback?session_token=${token}`);
    expect(direct.status).toBe(400);
    expect(direct.headers.location).toBeUndefined();
    expect(direct.text).toContain('not set up correctly');
    expect(hook.logs.join('')).toContain('X-Forwarded-Proto: https');
    expect(hook.logs.join('')).not.toContain(token);
    // Through the proxy, the same link still works.
    const proxied = await hook.browser().get(`/callback?session_token=${token}`);
    expect(proxied.status).toBe(303);
  });

  it.each([
    ['exp', { exp: 1e300 }],
    ['exp far ahead', { exp: Math.floor(Date.now() / 1000) + 10 * 365 * 86400 }],
    ['iat', { iat: -1e300 }],
    ['nbf', { nbf: 1e300 }],
  ])('gives a token with an absurd %s a 400 bad-token page, not a 503', async (_name, payload) => {
    hook = await hookFixture();
    const { token } = await hook.mint({ payload });
    const res = await hook.browser().get(`/callback?session_token=${token}`);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).not.toContain('try again');
  });

  it('keeps working for a double tap without JavaScript: the second answer carries the first token', async () => {
    hook = await hookFixture();
    const browser = hook.browser();
    const { token } = await hook.mint();
    const arrival = await browser.get(`/callback?session_token=${token}`);
    const page = await browser.get(arrival.headers.location!);
    const form = { _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' };
    const first = await browser.post(arrival.headers.location!).type('form').send(form);
    const second = await browser.post(arrival.headers.location!).type('form').send(form);
    expect(first.status).toBe(303);
    expect(second.status).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
  });
});
