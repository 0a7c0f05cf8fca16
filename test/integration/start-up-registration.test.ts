import { randomBytes, createSecretKey } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mintSessionToken } from '../../src/simulator/tenant-tokens.js';
import { ConfigurationError, type RunningHook } from '../../src/start-hook.js';
import { startAgainstTenant } from '../support/hook-against-tenant.js';
import { CLIENT_SECRET, REGISTERED_HOOK_URL, tenantServer, type TenantServer } from '../support/tenant-server.js';

/** The hook's URL is https: the requests come as its TLS proxy would send them. */
const AS_THROUGH_TLS_PROXY = { 'x-forwarded-proto': 'https' };

let tenant: TenantServer;
let dataDir: string;
let logs: string[];
let running: RunningHook | undefined;
beforeEach(async () => {
  tenant = await tenantServer();
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-start-'));
  logs = [];
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await tenant.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<RunningHook> {
  running = await startAgainstTenant(tenant, dataDir, logs, env);
  return running;
}

async function startFails(env: Record<string, string>): Promise<Error> {
  const error = await start(env).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  return error!;
}

/** The problems start-up named; a refusal of another kind fails the test with its own error. */
function problemsOf(error: Error): readonly string[] {
  if (!(error instanceof ConfigurationError)) throw error;
  return error.problems;
}

/** Arrives at the running hook over real HTTP with a token signed by `secret`. */
async function arrive(hook: RunningHook, secret: string): Promise<number> {
  const { token } = await mintSessionToken({
    tenantUrl: tenant.url,
    hookUrl: REGISTERED_HOOK_URL,
    key: createSecretKey(Buffer.from(secret, 'base64')),
  });
  const res = await fetch(`http://127.0.0.1:${hook.port}/callback?session_token=${token}`, {
    redirect: 'manual',
    headers: AS_THROUGH_TLS_PROXY,
  });
  await res.arrayBuffer();
  return res.status;
}

function logText(): string {
  return logs.join('');
}

describe('HOOK_REGISTER_ON_START=true', () => {
  it('registers before listening, uses the secret the tenant returned, and logs no secret', async () => {
    const hook = await start({ HOOK_REGISTER_ON_START: 'true' });
    expect(tenant.management.hook).toEqual({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    expect(tenant.count('PUT')).toBe(1);
    expect(await arrive(hook, tenant.management.secret)).toBe(303);
    expect(await arrive(hook, randomBytes(32).toString('base64'))).toBe(401);
    expect(logText()).toContain('hook registration updated');
    expect(logText()).not.toContain(tenant.management.secret);
    expect(logText()).not.toContain(CLIENT_SECRET);
  });

  it('makes no PUT when the registration is already as configured', async () => {
    await (await start({ HOOK_REGISTER_ON_START: 'true' })).close();
    running = undefined;
    await start({ HOOK_REGISTER_ON_START: 'true' });
    expect(tenant.count('PUT')).toBe(1);
    expect(tenant.count('GET')).toBe(2);
    expect(logText()).toContain('already as configured');
  });

  it('keeps accepting the old secret in this process when its own PUT rotated the secret', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 600,
      disabled: false,
    });
    tenant.management.switches.rotateSecretOnPut = true;
    const old = tenant.management.secret;
    const hook = await start({ HOOK_REGISTER_ON_START: 'true', INTERACTION_HOOK_SECRET: old });
    expect(tenant.management.secret).not.toBe(old);
    expect(await arrive(hook, tenant.management.secret)).toBe(303);
    expect(await arrive(hook, old)).toBe(303);
    expect(logText()).toContain('the tenant rotated the hook secret on registration');
  });

  it('refuses to start, naming the rule, when HOOK_URL breaks one; nothing is sent', async () => {
    const error = await startFails({ HOOK_REGISTER_ON_START: 'true', HOOK_URL: 'https://192.0.2.10/callback#x' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(problemsOf(error)).toEqual(
      expect.arrayContaining([
        'HOOK_URL breaks the rule "host is not an IP address": the host 192.0.2.10 is an IP address; use a DNS name',
        'HOOK_URL breaks the rule "no fragment": remove "#x"; browsers never send it to the hook',
      ]),
    );
    expect(tenant.management.calls).toEqual([]);
  });

  it('refuses to start when the tenant cannot be reached, and does not listen', async () => {
    await tenant.close();
    const error = await startFails({ HOOK_REGISTER_ON_START: 'true' });
    expect(error.message).toContain('could not be reached');
    expect(running).toBeUndefined();
    tenant = await tenantServer();
  });

  it('needs management credentials', async () => {
    const error = await startFails({
      HOOK_REGISTER_ON_START: 'true',
      MATTR_CLIENT_ID: '',
      MATTR_CLIENT_SECRET: '',
      INTERACTION_HOOK_SECRET: randomBytes(32).toString('base64'),
    });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(problemsOf(error)).toEqual([
      'HOOK_REGISTER_ON_START=true needs MATTR_CLIENT_ID and MATTR_CLIENT_SECRET (a management API client with the admin or issuer role)',
    ]);
  });
});

describe('credentials and no INTERACTION_HOOK_SECRET', () => {
  it('fetches the secret by GET at start-up, keeps it in memory only, and changes nothing', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    const hook = await start();
    expect(tenant.count('GET')).toBe(1);
    expect(tenant.count('PUT')).toBe(0);
    expect(await arrive(hook, tenant.management.secret)).toBe(303);
    expect(logText()).toContain('hook secret fetched from the tenant');
    expect(logText()).not.toContain(tenant.management.secret);
  });

  it("lets the simulated tenant's start page send a user in with the registered URL and the current secret", async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    tenant.management.rotateSecret();
    const hook = await start();
    const started = await fetch(`${tenant.url}/start`, {
      method: 'POST',
      body: new URLSearchParams({ claims: '{"given_name":"Mere"}' }),
      redirect: 'manual',
    });
    const target = new URL(started.headers.get('location')!);
    expect(target.origin + target.pathname).toBe(REGISTERED_HOOK_URL);
    const arrival = await fetch(`http://127.0.0.1:${hook.port}/callback${target.search}`, {
      redirect: 'manual',
      headers: AS_THROUGH_TLS_PROXY,
    });
    expect(arrival.status).toBe(303);
  });

  it('warns when the registration does not match HOOK_URL or is disabled', async () => {
    tenant.management.register({
      url: 'https://elsewhere.example.com/cb',
      claims: [],
      sessionTimeoutInSec: 1200,
      disabled: true,
    });
    await start();
    expect(logText()).toContain('the registered hook URL is not HOOK_URL');
    expect(logText()).toContain('the hook is registered but disabled');
  });

  it('refuses to start when no hook is registered, saying what to run', async () => {
    const error = await startFails({});
    expect(error.message).toContain('The tenant has no interaction hook registered. Run "interaction-hook register"');
  });

  it('calls nobody when INTERACTION_HOOK_SECRET is set and start-up registration is off', async () => {
    const secret = randomBytes(32).toString('base64');
    const hook = await start({ INTERACTION_HOOK_SECRET: secret });
    expect(tenant.management.calls).toEqual([]);
    expect(await arrive(hook, secret)).toBe(303);
  });

  it('names half-set credentials and an underivable auth server as configuration problems', async () => {
    const half = await startFails({ MATTR_CLIENT_SECRET: '' });
    expect(problemsOf(half)).toContain('MATTR_CLIENT_SECRET is required: the management API client secret');
    const noAuth = await startFails({ MATTR_AUTH_URL: '' });
    expect(problemsOf(noAuth)).toEqual([
      expect.stringContaining('MATTR_AUTH_URL is required when MATTR_TENANT_URL is not of the form'),
    ]);
  });
});
