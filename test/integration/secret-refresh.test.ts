import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConfigApi } from '../../src/mattr/config-api.js';
import { secretFingerprint } from '../../src/mattr/hook-secret.js';
import { mintSessionToken, readReturnToken } from '../../src/simulator/tenant-tokens.js';
import type { RunningHook } from '../../src/start-hook.js';
import { startAgainstTenant } from '../support/hook-against-tenant.js';
import { csrfFrom, TestClock } from '../support/hook-fixture.js';
import { HttpBrowser } from '../support/http-browser.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  REGISTERED_HOOK_URL,
  tenantServer,
  type TenantServer,
} from '../support/tenant-server.js';

/**
 * A running hook (real HTTP, port 0) against the simulated tenant, whose secret changes while the
 * hook runs: with management credentials the hook picks the new one up on the first arrival that
 * needs it, without a restart, and without letting forged tokens cost the tenant more than a GET a minute.
 */
let tenant: TenantServer;
let dataDir: string;
let logs: string[];
let clock: TestClock;
let running: RunningHook | undefined;
beforeEach(async () => {
  tenant = await tenantServer();
  tenant.management.register({
    url: REGISTERED_HOOK_URL,
    claims: ['given_name'],
    sessionTimeoutInSec: 1200,
    disabled: false,
  });
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-refresh-'));
  logs = [];
  clock = new TestClock();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await tenant.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<RunningHook> {
  // The hook URL is https: the session cookie is set only behind a TLS proxy.
  running = await startAgainstTenant(tenant, dataDir, logs, { TRUST_PROXY: 'true', ...env }, { now: clock.now });
  return running;
}

const base = (hook: RunningHook) => `http://127.0.0.1:${hook.port}`;
const keyOf = (secret: string) => createSecretKey(Buffer.from(secret, 'base64'));
const newSecret = () => randomBytes(32).toString('base64');

function mint(secret: string) {
  return mintSessionToken(
    { tenantUrl: tenant.url, hookUrl: REGISTERED_HOOK_URL, key: keyOf(secret) },
    { now: clock.now(), claims: { given_name: 'Sample' } },
  );
}

/** One arrival with a token signed by `secret`; the status. */
async function arrive(hook: RunningHook, secret: string): Promise<number> {
  const { token } = await mint(secret);
  return (await new HttpBrowser({ 'x-forwarded-proto': 'https' }).get(base(hook), `/callback?session_token=${token}`))
    .status;
}

/** Another replica, or the CLI, registers again, and the tenant hands out a new secret on that PUT. */
async function registerElsewhereWithRotation(): Promise<string> {
  tenant.management.switches.rotateSecretOnPut = true;
  const api = createConfigApi({
    tenantUrl: tenant.url,
    authUrl: tenant.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    timeoutMs: 5_000,
    retries: 0,
  });
  const saved = await api.putHook({
    url: REGISTERED_HOOK_URL,
    claims: ['given_name'],
    sessionTimeoutInSec: 1200,
    disabled: false,
  });
  tenant.management.switches.rotateSecretOnPut = false;
  return saved.secret!;
}

async function metric(hook: RunningHook, outcome: string): Promise<number> {
  const text = await (await fetch(`${base(hook)}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`hook_secret_refreshes_total{outcome="${outcome}"}`));
  return Number(line?.split(' ').pop());
}

const logText = () => logs.join('');

describe('with management credentials and no INTERACTION_HOOK_SECRET', () => {
  it('lets in, with no error, the first user whose token carries a secret rotated by another registration, and signs the way back with it', async () => {
    const hook = await start();
    const old = tenant.management.secret;
    const rotated = await registerElsewhereWithRotation();
    expect(rotated).not.toBe(old);
    const getsBefore = tenant.count('GET');

    const browser = new HttpBrowser({ 'x-forwarded-proto': 'https' });
    const { token, state } = await mint(rotated);
    const arrival = await browser.get(base(hook), `/callback?session_token=${token}`);
    expect(arrival.status).toBe(303);
    const page = await browser.get(base(hook), arrival.location!);
    expect(page.status).toBe(200);
    const done = await browser.post(base(hook), arrival.location!, {
      _csrf: csrfFrom(page.text),
      accept_terms: 'yes',
      decision: 'accept',
    });
    expect(done.status).toBe(303);

    const returned = new URL(done.location!).searchParams.get('session_token')!;
    const identity = { tenantUrl: tenant.url, hookUrl: REGISTERED_HOOK_URL };
    await expect(readReturnToken({ ...identity, key: keyOf(rotated) }, returned, clock.now())).resolves.toMatchObject({
      kind: 'success',
      state,
    });
    await expect(readReturnToken({ ...identity, key: keyOf(old) }, returned, clock.now())).rejects.toThrow(/signature/);
    expect(tenant.count('GET') - getsBefore).toBe(1);
    expect(await metric(hook, 'changed')).toBe(1);
    expect(logText()).toContain('hook secret changed at the tenant; now signing with the new one');
    expect(logText()).toContain(secretFingerprint(rotated));
    for (const secret of [old, rotated, CLIENT_SECRET]) expect(logText()).not.toContain(secret);
  });

  it('accepts the replaced secret for the grace period (15 minutes by default), then refuses it', async () => {
    const hook = await start();
    const old = tenant.management.secret;
    const rotated = tenant.management.rotateSecret();
    expect(await arrive(hook, rotated)).toBe(303);

    clock.advance(14 * 60);
    expect(await arrive(hook, old)).toBe(303);
    clock.advance(60 + 1);
    expect(await arrive(hook, old)).toBe(401);
    expect(await arrive(hook, rotated)).toBe(303);
  });

  it('honours PREVIOUS_SECRET_GRACE_SECONDS', async () => {
    const hook = await start({ PREVIOUS_SECRET_GRACE_SECONDS: '120' });
    const old = tenant.management.secret;
    expect(await arrive(hook, tenant.management.rotateSecret())).toBe(303);
    clock.advance(119);
    expect(await arrive(hook, old)).toBe(303);
    clock.advance(2);
    expect(await arrive(hook, old)).toBe(401);
  });

  it('costs the tenant at most one GET a minute, however many forged tokens arrive, together or one by one', async () => {
    const hook = await start();
    const getsAfterStart = tenant.count('GET');
    const forged = await Promise.all(Array.from({ length: 20 }, () => arrive(hook, newSecret())));
    expect(forged).toEqual(Array(20).fill(401));
    for (let i = 0; i < 20; i += 1) {
      clock.advance(2);
      expect(await arrive(hook, newSecret())).toBe(401);
    }
    expect(tenant.count('GET') - getsAfterStart).toBe(1);
    expect(tenant.count('PUT')).toBe(0);
    expect(await metric(hook, 'unchanged')).toBe(1);

    // A minute after the last fetch, the next forged token may ask again: still one GET per minute.
    clock.advance(60);
    expect(await arrive(hook, newSecret())).toBe(401);
    expect(tenant.count('GET') - getsAfterStart).toBe(2);
  });

  it('refuses (401) when the tenant cannot be reached, logs it once without any secret, and lets the next valid token in', async () => {
    const hook = await start();
    const current = tenant.management.secret;
    const forged = await mint(newSecret());
    await tenant.close();

    const res = await fetch(`${base(hook)}/callback?session_token=${forged.token}`, {
      redirect: 'manual',
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('location')).toBeNull();
    const body = await res.text();
    expect(body).not.toContain(current);
    expect(await arrive(hook, newSecret())).toBe(401); // within the minute: no second attempt, no second log line
    expect(await arrive(hook, current)).toBe(303);

    const failures = logs.filter((line) => line.includes('hook secret could not be fetched again from the tenant'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('could not be reached');
    expect(await metric(hook, 'failed')).toBe(1);
    for (const secret of [current, CLIENT_SECRET, forged.token, forged.token.split('.')[2]!, 'Bearer'])
      expect(logText()).not.toContain(secret);
    tenant = await tenantServer();
  });

  it('refuses (401) when the tenant refuses the GET, and picks the secret up at the next attempt a minute later', async () => {
    const hook = await start();
    const rotated = tenant.management.rotateSecret();
    tenant.management.failNext(1, { status: 403, target: 'configuration' });
    expect(await arrive(hook, rotated)).toBe(401);
    expect(logText()).toContain("the client's role may not configure the interaction hook");
    expect(logText()).not.toContain(rotated);

    clock.advance(61);
    expect(await arrive(hook, rotated)).toBe(303);
    expect(await metric(hook, 'failed')).toBe(1);
    expect(await metric(hook, 'changed')).toBe(1);
  });
});

describe('with management credentials and INTERACTION_HOOK_SECRET set', () => {
  it('calls nobody at start-up, then replaces a stale INTERACTION_HOOK_SECRET with the tenant’s and says to update it', async () => {
    const configured = tenant.management.secret;
    const hook = await start({ INTERACTION_HOOK_SECRET: configured });
    expect(tenant.management.calls).toEqual([]);
    expect(await arrive(hook, configured)).toBe(303);
    expect(tenant.management.calls).toEqual([]);

    const rotated = tenant.management.rotateSecret();
    expect(await arrive(hook, rotated)).toBe(303);
    expect(await arrive(hook, configured)).toBe(303); // in its grace
    expect(tenant.count('GET')).toBe(1);
    expect(logText()).toContain('INTERACTION_HOOK_SECRET is no longer the secret the tenant holds');
    for (const secret of [configured, rotated]) expect(logText()).not.toContain(secret);
  });

  it('keeps INTERACTION_HOOK_PREVIOUS_SECRET until restart while nothing changes, and lets it go when the tenant’s secret changes', async () => {
    const configured = tenant.management.secret;
    const previous = newSecret();
    const hook = await start({ INTERACTION_HOOK_SECRET: configured, INTERACTION_HOOK_PREVIOUS_SECRET: previous });
    clock.advance(2 * 86_400);
    expect(await arrive(hook, previous)).toBe(303);

    const rotated = tenant.management.rotateSecret();
    expect(await arrive(hook, rotated)).toBe(303);
    expect(await arrive(hook, configured)).toBe(303);
    expect(await arrive(hook, previous)).toBe(401);
  });
});

describe('HOOK_REGISTER_ON_START=true, when its own PUT rotated the secret', () => {
  it('accepts the replaced secret for the grace period, no longer until restart', async () => {
    const old = tenant.management.secret;
    tenant.management.switches.rotateSecretOnPut = true;
    const hook = await start({ HOOK_REGISTER_ON_START: 'true', INTERACTION_TIMEOUT_SECONDS: '600' });
    tenant.management.switches.rotateSecretOnPut = false;
    expect(tenant.management.secret).not.toBe(old);
    expect(await arrive(hook, old)).toBe(303);
    clock.advance(15 * 60 + 1);
    expect(await arrive(hook, old)).toBe(401);
    expect(await arrive(hook, tenant.management.secret)).toBe(303);
  });
});

describe('without management credentials', () => {
  it('never calls the tenant, however many tokens fail', async () => {
    const secret = newSecret();
    const hook = await start({ INTERACTION_HOOK_SECRET: secret, MATTR_CLIENT_ID: '', MATTR_CLIENT_SECRET: '' });
    const forged = await Promise.all(Array.from({ length: 20 }, () => arrive(hook, newSecret())));
    expect(forged).toEqual(Array(20).fill(401));
    clock.advance(120);
    expect(await arrive(hook, newSecret())).toBe(401);
    expect(await arrive(hook, secret)).toBe(303);
    expect(tenant.management.calls).toEqual([]);
    expect(await metric(hook, 'failed')).toBe(0);
  });
});
