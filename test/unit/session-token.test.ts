import { createHmac, createSecretKey } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { returnUrl, signCompletion, signFailure, verifyArrival } from '../../src/mattr/session-token.js';
import { decodeHookSecret } from '../../src/mattr/hook-secret.js';
import { mintSessionToken } from '../../src/simulator/tenant-tokens.js';

const key = createSecretKey(Buffer.alloc(32, 3));
const other = createSecretKey(Buffer.alloc(32, 4));
const tenantUrl = 'https://tenant.vii.au01.mattr.global';
const hookUrl = 'https://hook.example.com/callback';
const now = new Date('2026-11-29T10:00:00Z');
const check = { tenantUrl, hookUrl, allowedRedirectOrigins: new Set([tenantUrl]), clockToleranceSeconds: 30, now };

describe('verifyArrival', () => {
  it('returns the state, redirect, claims, subject and a replay key (jti when present)', async () => {
    const { token } = await mintSessionToken(
      { tenantUrl, hookUrl, key },
      { now, state: 'hJvfiSp3eEGybd-KmL8ja', claims: { email: 'a@b.c' }, payload: { sub: 'u1', jti: 'j1' } },
    );
    const result = await verifyArrival(token, { ...check, keys: [key] });
    expect(result).toEqual({
      ok: true,
      arrival: {
        state: 'hJvfiSp3eEGybd-KmL8ja',
        redirectUrl: `${tenantUrl}/v1/oauth/authorize/interaction-hook/return`,
        claims: { email: 'a@b.c' },
        subject: 'u1',
        replayKey: 'jti:j1',
        expiresAt: new Date(now.getTime() + 300_000),
      },
    });
  });

  it('uses the SHA-256 of the token as the replay key without a jti', async () => {
    const { token } = await mintSessionToken({ tenantUrl, hookUrl, key }, { now });
    const result = await verifyArrival(token, { ...check, keys: [key] });
    expect(result.ok && result.arrival.replayKey).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
  });

  it('tries a previous key only for a signature mismatch', async () => {
    const { token } = await mintSessionToken({ tenantUrl, hookUrl, key: other }, { now });
    expect((await verifyArrival(token, { ...check, keys: [key] })).ok).toBe(false);
    expect((await verifyArrival(token, { ...check, keys: [key, other] })).ok).toBe(true);
    const expired = await mintSessionToken({ tenantUrl, hookUrl, key }, { now: new Date(now.getTime() - 3_600_000) });
    expect(await verifyArrival(expired.token, { ...check, keys: [key, other] })).toEqual({
      ok: false,
      reason: 'token_expired',
    });
  });

  it('accepts an audience list that names the hook and refuses one that does not', async () => {
    const listed = await mintSessionToken(
      { tenantUrl, hookUrl, key },
      { now, payload: { aud: ['https://other.example', hookUrl] } },
    );
    expect((await verifyArrival(listed.token, { ...check, keys: [key] })).ok).toBe(true);
    const unlisted = await mintSessionToken(
      { tenantUrl, hookUrl, key },
      { now, payload: { aud: ['https://other.example', `${hookUrl}/`] } },
    );
    expect(await verifyArrival(unlisted.token, { ...check, keys: [key] })).toEqual({
      ok: false,
      reason: 'token_wrong_audience',
    });
  });

  it('refuses a token with its signature left off, and one with a claim time that is not a number', async () => {
    const { token } = await mintSessionToken({ tenantUrl, hookUrl, key }, { now });
    expect(await verifyArrival(token.slice(0, token.lastIndexOf('.') + 1), { ...check, keys: [key] })).toEqual({
      ok: false,
      reason: 'token_bad_algorithm',
    });
    const stringly = await mintSessionToken(
      { tenantUrl, hookUrl, key },
      { now, payload: { nbf: String(Math.floor(now.getTime() / 1000)) as unknown as number } },
    );
    expect(await verifyArrival(stringly.token, { ...check, keys: [key] })).toEqual({
      ok: false,
      reason: 'token_malformed',
    });
  });

  it('applies the clock tolerance to exp and nbf, on the clock it is given', async () => {
    const at = Math.floor(now.getTime() / 1000);
    const outcome = async (payload: { exp?: number; nbf?: number }) => {
      const { token } = await mintSessionToken({ tenantUrl, hookUrl, key }, { now, payload });
      const result = await verifyArrival(token, { ...check, keys: [key] });
      return result.ok ? 'ok' : result.reason;
    };
    expect(await outcome({ exp: at - 20 })).toBe('ok');
    expect(await outcome({ exp: at - 30 })).toBe('token_expired');
    expect(await outcome({ nbf: at + 20 })).toBe('ok');
    expect(await outcome({ nbf: at + 31 })).toBe('token_not_yet_valid');
  });

  it('refuses a signature spelt with padding, whitespace or the base64 alphabet, which jose would decode to the same bytes', async () => {
    let token = '';
    for (let i = 0; !/[-_]/.test(token.slice(token.lastIndexOf('.'))); i++)
      ({ token } = await mintSessionToken({ tenantUrl, hookUrl, key }, { now, state: `s${i}` }));
    const cut = token.length - 6;
    const [header, payload, signature] = token.split('.') as [string, string, string];
    for (const spelling of [
      `${token}=`,
      `${token.slice(0, cut)}\n${token.slice(cut)}`,
      `${token.slice(0, cut)} ${token.slice(cut)}`,
      `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`,
    ]) {
      expect(await verifyArrival(spelling, { ...check, keys: [key] }), JSON.stringify(spelling.slice(-10))).toEqual({
        ok: false,
        reason: 'token_bad_signature',
      });
    }
    expect(
      await verifyArrival(`${header}.${payload.slice(0, 8)}\n${payload.slice(8)}.${signature}`, {
        ...check,
        keys: [key],
      }),
    ).toEqual({ ok: false, reason: 'token_malformed' });
    expect(await verifyArrival(`${header}.${payload}`, { ...check, keys: [key] })).toEqual({
      ok: false,
      reason: 'token_malformed',
    });
  });

  it('refuses a header without alg as a bad algorithm, and a payload that is not UTF-8 as malformed', async () => {
    const iat = Math.floor(now.getTime() / 1000);
    const claims = { iss: tenantUrl, aud: hookUrl, iat, exp: iat + 60, state: 's', redirectUrl: `${tenantUrl}/x` };
    expect(
      await verifyArrival(hmacSigned({ typ: 'JWT' }, Buffer.from(JSON.stringify(claims))), { ...check, keys: [key] }),
    ).toEqual({ ok: false, reason: 'token_bad_algorithm' });
    const latin1 = Buffer.from(JSON.stringify({ ...claims, name: 'Zoë' }), 'latin1');
    expect(await verifyArrival(hmacSigned({ alg: 'HS256' }, latin1), { ...check, keys: [key] })).toEqual({
      ok: false,
      reason: 'token_malformed',
    });
    expect(
      await verifyArrival(hmacSigned({ alg: 'HS256' }, Buffer.from(JSON.stringify({ ...claims, name: 'Zoë' }))), {
        ...check,
        keys: [key],
      }),
    ).toMatchObject({ ok: true });
  });

  it('names the issuer or audience before the times when a token is wrong in several ways', async () => {
    const at = Math.floor(now.getTime() / 1000);
    const outcome = async (payload: Record<string, unknown>) => {
      const { token } = await mintSessionToken({ tenantUrl, hookUrl, key }, { now, payload });
      const result = await verifyArrival(token, { ...check, keys: [key] });
      return result.ok ? 'ok' : result.reason;
    };
    expect(await outcome({ iss: 'https://other.example', exp: at - 3600 })).toBe('token_wrong_issuer');
    expect(await outcome({ aud: 'https://other.example', nbf: at + 3600 })).toBe('token_wrong_audience');
    // A time that is no time is malformed whatever else is wrong.
    expect(await outcome({ iss: 'https://other.example', exp: -1 })).toBe('token_malformed');
  });

  it('refuses an HS384 token even with the right key', async () => {
    const { SignJWT } = await import('jose');
    const iat = Math.floor(now.getTime() / 1000);
    const token = await new SignJWT({ state: 's', redirectUrl: `${tenantUrl}/x` })
      .setProtectedHeader({ alg: 'HS384' })
      .setIssuer(tenantUrl)
      .setAudience(hookUrl)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(createSecretKey(Buffer.alloc(48, 3)));
    expect(await verifyArrival(token, { ...check, keys: [key] })).toEqual({ ok: false, reason: 'token_bad_algorithm' });
  });
});

/** A token signed HS256 with `key` whatever its header and payload say. */
function hmacSigned(header: Record<string, unknown>, payload: Buffer): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload.toString('base64url')}`;
  return `${input}.${createHmac('sha256', key.export()).update(input).digest('base64url')}`;
}

describe('what the hook signs', () => {
  const signer = { key, hookUrl, tenantUrl, now };

  it('signs a completion with exactly the fields of the contract and a 60 s lifetime', async () => {
    const token = await signCompletion(signer, { state: 'st', claims: { a: 1 }, claimsToPersist: [] });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
    const iat = now.getTime() / 1000;
    expect(decodeJwt(token)).toEqual({
      state: 'st',
      claims: { a: 1 },
      claimsToPersist: [],
      iss: hookUrl,
      aud: tenantUrl,
      iat,
      exp: iat + 60,
    });
  });

  it('signs a failure with the error message and no claims', async () => {
    const token = await signFailure(signer, { state: 'st', message: 'no' });
    const iat = now.getTime() / 1000;
    expect(decodeJwt(token)).toEqual({
      state: 'st',
      error: { message: 'no' },
      iss: hookUrl,
      aud: tenantUrl,
      iat,
      exp: iat + 60,
    });
  });

  it('sets session_token on the redirect URL, keeping its own query', () => {
    const url = new URL(returnUrl(`${tenantUrl}/back?x=1&session_token=old`, 'a.b.c'));
    expect(url.searchParams.getAll('session_token')).toEqual(['a.b.c']);
    expect(url.searchParams.get('x')).toBe('1');
  });
});

describe('decodeHookSecret', () => {
  it('accepts the tenant format and refuses short or non-base64 text', () => {
    expect(decodeHookSecret('dGtUrijBOT6UUJ8JO4kAFyGfhahDlVVeIk/sPbWTa7c=')).not.toBeNull();
    expect(decodeHookSecret('c2hvcnQ=')).toBeNull();
    expect(decodeHookSecret('not base64 at all, with spaces and !!')).toBeNull();
  });
});
