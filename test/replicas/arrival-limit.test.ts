import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken, type TenantIdentity } from '../../src/simulator/tenant-tokens.js';
import { startHook, type RunningHook } from '../../src/start-hook.js';
import { HOOK_URL, TENANT_URL, withKey } from '../support/hook-fixture.js';
import { replicaEnv } from '../support/replica-env.js';
import { engineSandbox, TEST_ENGINE, type EngineSandbox } from '../support/storage-engine.js';

/**
 * ARRIVAL_RATE_LIMIT across two replicas behind one load balancer: the count is kept in the shared
 * storage, so a flood gets the limit once, not once per replica.
 */
const LIMIT = 4;
let sandbox: EngineSandbox;
let dataDir: string;
let replicas: RunningHook[];
let identity: TenantIdentity;

beforeAll(async () => {
  sandbox = await engineSandbox();
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-arrival-limit-'));
  const secret = randomBytes(32).toString('base64');
  // The load balancer in front names the client in X-Forwarded-For, as TRUST_PROXY expects.
  const env = { ...replicaEnv(sandbox, dataDir, secret), ARRIVAL_RATE_LIMIT: String(LIMIT), TRUST_PROXY: 'true' };
  replicas = await Promise.all([startHook(env, pino({ level: 'silent' })), startHook(env, pino({ level: 'silent' }))]);
  identity = { tenantUrl: TENANT_URL, hookUrl: HOOK_URL, key: withKey(secret) };
});

afterAll(async () => {
  await Promise.all((replicas ?? []).map((r) => r.close()));
  await sandbox?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An arrival with a fresh token from `address`, served by replica `i % 2`. */
async function arrival(i: number, address: string) {
  const { token } = await mintSessionToken(identity);
  const res = await fetch(`http://127.0.0.1:${replicas[i % 2]!.port}/callback?session_token=${token}`, {
    headers: { 'x-forwarded-for': address },
    redirect: 'manual',
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

describe(`the arrival limit on two replicas on ${TEST_ENGINE}`, () => {
  it('lets one address in LIMIT times in all, whichever replica serves it, and no other address is held up', async () => {
    const flood = '203.0.113.50';
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await arrival(i, flood)).status);
    expect(statuses).toEqual(Array(LIMIT).fill(303));

    // Both replicas refuse the next ones: without the shared count each would let in LIMIT more.
    for (let i = LIMIT; i < LIMIT + 4; i++) {
      const refused = await arrival(i, flood);
      expect(refused.status, `arrival ${i + 1}, replica ${i % 2}`).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    }

    for (let i = 0; i < 2; i++) expect((await arrival(i, '198.51.100.60')).status).toBe(303);
  });

  it('counts simultaneous arrivals from one address on both replicas exactly', async () => {
    const address = '203.0.113.51';
    const replies = await Promise.all(Array.from({ length: LIMIT * 3 }, (_, i) => arrival(i, address)));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(LIMIT * 2);
  });
});
