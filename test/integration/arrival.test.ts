import { randomBytes } from 'node:crypto';
import { UnsecuredJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../../src/simulator/tenant-tokens.js';
import { hookFixture, TENANT_URL, withKey, type HookFixture } from '../support/hook-fixture.js';

let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture();
});
afterEach(async () => {
  await hook.close();
});

type Case = { name: string; query: () => Promise<string>; status: number; reason: string; page: string };

const cases: Case[] = [
  {
    name: 'no token at all',
    query: async () => '',
    status: 400,
    reason: 'token_missing',
    page: 'Open this page from your wallet',
  },
  {
    name: 'an empty token',
    query: async () => '?session_token=',
    status: 400,
    reason: 'token_missing',
    page: 'Open this page from your wallet',
  },
  {
    name: 'garbage',
    query: async () => '?session_token=not.a.jwt',
    status: 400,
    reason: 'token_malformed',
    page: 'We could not check this link',
  },
  {
    name: 'two tokens',
    query: async () => `?session_token=${'a'.repeat(40)}&session_token=${'b'.repeat(40)}`,
    status: 400,
    reason: 'token_malformed',
    page: 'We could not check this link',
  },
  {
    name: 'a token signed with another secret',
    query: async () =>
      `?session_token=${(await mintSessionToken({ ...hook.simulator.identity, key: withKey(randomBytes(32).toString('base64')) })).token}`,
    status: 401,
    reason: 'token_bad_signature',
    page: 'We could not check this link',
  },
  {
    name: 'alg none',
    query: async () => {
      const now = Math.floor(Date.now() / 1000);
      const token = new UnsecuredJWT({
        state: 's',
        redirectUrl: `${TENANT_URL}/back`,
        iss: TENANT_URL,
        aud: hook.settings.hookUrl,
        exp: now + 60,
      }).encode();
      return `?session_token=${token}`;
    },
    status: 401,
    reason: 'token_bad_algorithm',
    page: 'We could not check this link',
  },
  {
    name: 'the wrong audience',
    query: async () =>
      `?session_token=${(await hook.mint({ payload: { aud: 'https://other-hook.example.com/callback' } })).token}`,
    status: 401,
    reason: 'token_wrong_audience',
    page: 'We could not check this link',
  },
  {
    name: 'the audience with a trailing slash added',
    query: async () => `?session_token=${(await hook.mint({ payload: { aud: `${hook.settings.hookUrl}/` } })).token}`,
    status: 401,
    reason: 'token_wrong_audience',
    page: 'We could not check this link',
  },
  {
    name: 'the wrong issuer',
    query: async () =>
      `?session_token=${(await hook.mint({ payload: { iss: 'https://evil.vii.au01.mattr.global' } })).token}`,
    status: 401,
    reason: 'token_wrong_issuer',
    page: 'We could not check this link',
  },
  {
    name: 'an expired token (past the clock tolerance)',
    query: async () =>
      `?session_token=${(await hook.mint({ now: new Date(Date.now() - 400_000), lifetimeSeconds: 300 })).token}`,
    status: 401,
    reason: 'token_expired',
    page: 'This link has expired',
  },
  {
    name: 'no exp',
    query: async () => `?session_token=${(await hook.mint({ payload: { exp: undefined } })).token}`,
    status: 401,
    reason: 'token_missing_exp',
    page: 'We could not check this link',
  },
  {
    name: 'a missing state',
    query: async () => `?session_token=${(await hook.mint({ payload: { state: undefined } })).token}`,
    status: 400,
    reason: 'token_missing_state',
    page: 'We could not check this link',
  },
  {
    name: 'a state that is not a string',
    query: async () => `?session_token=${(await hook.mint({ payload: { state: 42 } })).token}`,
    status: 400,
    reason: 'token_missing_state',
    page: 'We could not check this link',
  },
  {
    name: 'a missing redirectUrl',
    query: async () => `?session_token=${(await hook.mint({ payload: { redirectUrl: undefined } })).token}`,
    status: 400,
    reason: 'token_missing_redirect',
    page: 'We could not check this link',
  },
  {
    name: 'a redirectUrl on a foreign origin',
    query: async () => `?session_token=${(await hook.mint({ redirectUrl: 'https://attacker.example/steal' })).token}`,
    status: 400,
    reason: 'redirect_not_allowed',
    page: 'We could not check this link',
  },
  {
    name: 'a redirectUrl that only looks like the tenant',
    query: async () => `?session_token=${(await hook.mint({ redirectUrl: `${TENANT_URL}.attacker.example/x` })).token}`,
    status: 400,
    reason: 'redirect_not_allowed',
    page: 'We could not check this link',
  },
  {
    name: 'a redirectUrl with credentials in it',
    query: async () =>
      `?session_token=${(await hook.mint({ redirectUrl: `https://user:pw@${new URL(TENANT_URL).host}/x` })).token}`,
    status: 400,
    reason: 'redirect_not_allowed',
    page: 'We could not check this link',
  },
  {
    name: 'a javascript: redirectUrl',
    query: async () => `?session_token=${(await hook.mint({ redirectUrl: 'javascript:alert(1)' })).token}`,
    status: 400,
    reason: 'redirect_not_allowed',
    page: 'We could not check this link',
  },
];

describe('a refused arrival', () => {
  it.each(cases)(
    '$name → $status, a clear page, no redirect, no session, the reason logged without the token',
    async (c) => {
      const query = await c.query();
      const res = await hook.browser().get(`/callback${query}`);

      expect(res.status).toBe(c.status);
      expect(res.headers.location).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.type).toBe('text/html');
      expect(res.text).toContain(c.page);
      expect(res.text).toContain(String(res.headers['x-request-id']));
      expect(res.text).not.toMatch(/\bat .*\.(ts|js):\d+/);

      const logged = hook.logs.join('');
      expect(logged).toContain(`"code":"${c.reason}"`);
      for (const token of new URLSearchParams(query.slice(1)).getAll('session_token')) {
        if (token) expect(logged).not.toContain(token);
      }
      expect(logged).not.toContain('session_token');
      expect(logged).not.toContain(hook.secret);

      const rows = [];
      for await (const row of hook.storage.ledger.decisions()) rows.push(row);
      expect(rows).toEqual([]);
    },
  );

  it('accepts a token within the clock tolerance after exp, and not one past it', async () => {
    const justLate = await hook.mint({ now: new Date(Date.now() - 320_000), lifetimeSeconds: 300 });
    expect((await hook.browser().get(`/callback?session_token=${justLate.token}`)).status).toBe(303);
    const tooLate = await hook.mint({ now: new Date(Date.now() - 340_000), lifetimeSeconds: 300 });
    expect((await hook.browser().get(`/callback?session_token=${tooLate.token}`)).status).toBe(401);
  });

  it('tolerates unknown extra fields, sub, jti, nbf and a claims value that is not an object', async () => {
    const { token } = await hook.mint({
      payload: {
        sub: 'user-1',
        jti: 'j-1',
        nbf: Math.floor(Date.now() / 1000) - 5,
        claims: 'odd',
        authenticationProvider: { url: 'https://idp.example', subjectId: 'x' },
        extra: [1, 2],
      },
    });
    const res = await hook.browser().get(`/callback?session_token=${token}`);
    expect(res.status).toBe(303);
  });
});

describe('redirect origins', () => {
  it('allows an origin the operator added for a custom domain', async () => {
    await hook.close();
    hook = await hookFixture({ MATTR_REDIRECT_ORIGINS: 'https://issuer-custom.example, https://other.example' });
    const { token } = await hook.mint({ redirectUrl: 'https://issuer-custom.example/back?x=1' });
    expect((await hook.browser().get(`/callback?session_token=${token}`)).status).toBe(303);
  });
});

describe('hook URL as registered', () => {
  it('serves a bare-origin hook URL at / and expects aud without a slash', async () => {
    await hook.close();
    hook = await hookFixture({ HOOK_URL: 'http://hook.example.com/' });
    expect(hook.settings.hookUrl).toBe('http://hook.example.com');
    const { token } = await hook.mint();
    expect((await hook.browser().get(`/?session_token=${token}`)).status).toBe(303);
  });
});
