import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadManagementSettings, type ManagementSettings } from '../../src/config/management-settings.js';
import { createConfigApi, type ConfigApiOptions } from '../../src/mattr/config-api.js';
import { ManagementApiError } from '../../src/mattr/management-error.js';
import { CLIENT_SECRET, REGISTERED_HOOK_URL, tenantServer, type TenantServer } from '../support/tenant-server.js';

let tenant: TenantServer;
beforeEach(async () => {
  tenant = await tenantServer();
});
afterEach(async () => {
  await tenant.close();
});

function settings(env: Record<string, string> = {}): ManagementSettings {
  const loaded = loadManagementSettings({ ...tenant.env, ...env }, { required: true });
  if (!loaded.ok || loaded.settings === null) throw new Error(loaded.ok ? 'no settings' : loaded.errors.join('; '));
  return loaded.settings;
}

/** A client that retries quickly, so tests of retries take milliseconds. */
function client(env: Record<string, string> = {}, options: ConfigApiOptions = {}) {
  return createConfigApi(settings(env), { ...options, policy: { backoffMs: 5, maxBackoffMs: 20, ...options.policy } });
}

async function failure(promise: Promise<unknown>): Promise<ManagementApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ManagementApiError);
  return error as ManagementApiError;
}

const HOOK = { url: REGISTERED_HOOK_URL, claims: ['given_name'], sessionTimeoutInSec: 1200, disabled: false };

describe('access tokens', () => {
  it('are cached across calls and renewed shortly before they expire', async () => {
    let now = Date.now();
    tenant.management.switches.tokenLifetimeSeconds = 3600;
    const api = client({}, { now: () => now });
    await api.getHook();
    await api.getHook();
    await api.putHook(HOOK);
    expect(tenant.tokenRequests()).toBe(1);

    now += (3600 - 61) * 1000; // still more than a minute left
    await api.getHook();
    expect(tenant.tokenRequests()).toBe(1);

    now += 2000; // within the last minute: renewed before the tenant could refuse it
    await api.getHook();
    expect(tenant.tokenRequests()).toBe(2);
  });

  it('is asked for once by callers that need it at the same moment', async () => {
    const api = client();
    await Promise.all([api.getHook(), api.getHook(), api.getHook()]);
    expect(tenant.tokenRequests()).toBe(1);
    expect(tenant.count('GET')).toBe(3);
  });

  it('is renewed once when the tenant refuses a cached one', async () => {
    const api = client();
    await api.getHook();
    tenant.management.revokeTokens();
    await api.putHook(HOOK);
    expect(tenant.tokenRequests()).toBe(2);
    expect(tenant.management.calls.filter((c) => c.method === 'PUT').map((c) => c.status)).toEqual([401, 200]);
  });

  it('is refused for bad client credentials with a 401 that names the variables, never the secret', async () => {
    const wrong = 'a-wrong-secret-value-123';
    const error = await failure(client({ MATTR_CLIENT_SECRET: wrong }).getHook());
    expect(error.kind).toBe('unauthorized');
    expect(error.status).toBe(401);
    expect(error.message).toContain('access_denied: Unauthorized');
    expect(error.message).toContain('MATTR_CLIENT_ID and MATTR_CLIENT_SECRET');
    expect(error.message).not.toContain(wrong);
    expect(tenant.count('GET')).toBe(0);
  });

  it('tells a client without the admin or issuer role what it lacks', async () => {
    const error = await failure(
      client({ MATTR_CLIENT_ID: 'verifier-only', MATTR_CLIENT_SECRET: 'verifier-secret-value' }).getHook(),
    );
    expect(error.kind).toBe('forbidden');
    expect(error.message).toContain('admin or issuer role');
  });
});

describe('the configuration calls', () => {
  it('read no hook, then register one and hand back a 32-byte base64 secret', async () => {
    const api = client();
    expect(await api.getHook()).toBeNull();
    const saved = await api.putHook(HOOK);
    expect(saved).toMatchObject(HOOK);
    expect(Buffer.from(saved.secret!, 'base64')).toHaveLength(32);
    expect(saved.secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await api.getHook()).toEqual(saved);
  });

  it('are also served at the older /core/v1 path', async () => {
    const token = await fetch(`${tenant.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_id: tenant.env.MATTR_CLIENT_ID,
        client_secret: CLIENT_SECRET,
        audience: tenant.url,
        grant_type: 'client_credentials',
      }),
    }).then((r) => r.json() as Promise<{ access_token: string; expires_in: number; token_type: string }>);
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 14400 });
    const put = await fetch(`${tenant.url}/core/v1/openid/configuration`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token.access_token}` },
      body: JSON.stringify({ interactionHook: HOOK }),
    });
    expect(put.status).toBe(200);
    expect(await client().getHook()).toMatchObject(HOOK);
  });

  it('keep the secret across PUTs, or rotate it on every PUT when the switch is on', async () => {
    const api = client();
    const first = await api.putHook(HOOK);
    const second = await api.putHook({ ...HOOK, sessionTimeoutInSec: 600 });
    expect(second.secret).toBe(first.secret);
    tenant.management.switches.rotateSecretOnPut = true;
    const third = await api.putHook(HOOK);
    expect(third.secret).not.toBe(first.secret);
  });

  it('surface a 400 with the tenant message and every detail, without retrying', async () => {
    const error = await failure(
      client({ MATTR_API_RETRIES: '3' }).putHook({
        url: 'http://10.0.0.1/cb?x=1',
        claims: ['ok'],
        sessionTimeoutInSec: 0,
        disabled: false,
      }),
    );
    expect(error.kind).toBe('refused');
    expect(error.status).toBe(400);
    expect(error.message).toContain('The tenant refused the request (400 BadRequest): Validation Error');
    expect(error.message).toContain(
      'interactionHook.url (in the body): Must be a URL using the https protocol; sent "http://10.0.0.1/cb?x=1"',
    );
    expect(error.message).toContain('interactionHook.url (in the body): Must not be an IP address');
    expect(error.message).toContain('interactionHook.url (in the body): Must not contain query parameters');
    expect(error.message).toContain(
      'interactionHook.sessionTimeoutInSec (in the body): Must be a positive whole number of seconds; sent 0',
    );
    expect(tenant.count('PUT')).toBe(1);
    expect(tenant.management.hook).toBeNull();
  });

  it('retry a 503 with backoff and then succeed', async () => {
    tenant.management.failNext(2, { status: 503, target: 'configuration' });
    const api = client({ MATTR_API_RETRIES: '3' });
    expect(await api.getHook()).toBeNull();
    expect(tenant.management.calls.filter((c) => c.method === 'GET').map((c) => c.status)).toEqual([503, 503, 200]);
  });

  it('retry a 429 after the Retry-After the tenant asks for, and a failing token endpoint too', async () => {
    tenant.management.failNext(1, { status: 429, target: 'configuration', retryAfterSeconds: 0 });
    tenant.management.failNext(1, { status: 502, target: 'token' });
    const api = client({ MATTR_API_RETRIES: '2' });
    await api.putHook(HOOK);
    expect(tenant.management.calls.map((c) => `${c.method} ${c.status}`)).toEqual([
      'POST 502',
      'POST 200',
      'PUT 429',
      'PUT 200',
    ]);
  });

  it('give up after the configured retries with a plain message', async () => {
    tenant.management.failNext(10, { status: 503 });
    const error = await failure(client({ MATTR_API_RETRIES: '2' }).getHook());
    expect(error.kind).toBe('unavailable');
    expect(error.message).toBe('The auth server answered 503 to POST /oauth/token after 3 attempts; try again later.');
    expect(tenant.tokenRequests()).toBe(3);
  });

  it('time out a tenant that does not answer, and retry the attempt', async () => {
    tenant.management.switches.delayMs = 3000;
    const started = Date.now();
    const error = await failure(client({ MATTR_API_RETRIES: '1' }, { policy: { timeoutMs: 60 } }).getHook());
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe('The auth server did not answer POST /oauth/token within 0.06 s after 2 attempts.');
    // Gave up long before the tenant would have answered (a loose bound: this is not a speed test).
    expect(Date.now() - started).toBeLessThan(2500);
    expect(tenant.tokenRequests()).toBe(2);
  });

  it('say so when nothing listens at the tenant URL', async () => {
    const closed = await freePort();
    const error = await failure(
      client({
        MATTR_TENANT_URL: `http://127.0.0.1:${closed}`,
        MATTR_AUTH_URL: `http://127.0.0.1:${closed}`,
        MATTR_API_RETRIES: '1',
      }).getHook(),
    );
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain(`could not be reached at http://127.0.0.1:${closed}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('after 2 attempts');
  });
});

describe('the simulator in demo mode', () => {
  it('accepts an http://localhost hook URL and says so; otherwise the tenant refuses it', async () => {
    const local = { ...HOOK, url: 'http://localhost:3000/callback' };
    const refused = await failure(client().putHook(local));
    expect(refused.message).toContain('Must be a URL using the https protocol');

    await tenant.close();
    tenant = await tenantServer({ demo: true });
    const saved = await client().putHook(local);
    expect(saved.url).toBe(local.url);
    expect(tenant.management.notices).toEqual([
      expect.stringContaining('demo mode: accepted the http://localhost hook URL'),
    ]);
  });
});

/** A port nobody listens on: bound, read, released. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
