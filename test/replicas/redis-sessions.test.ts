import type { Options } from 'express-rate-limit';
import type { SessionData } from 'express-session';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedisSessions } from '../../src/storage/redis/redis-sessions.js';
import type { ExternalSessions } from '../../src/storage/postgres/open-postgres.js';
import { engineSandbox, TEST_REDIS_URL, type EngineSandbox } from '../support/storage-engine.js';
import { viaCallback } from '../support/callback.js';

/** Redis expires sessions and arrival counts by itself, under the configured prefix, so nothing needs pruning there. */
let sandbox: EngineSandbox;
let sessions: ExternalSessions;
const redis = createClient({ url: TEST_REDIS_URL });

beforeEach(async () => {
  sandbox = await engineSandbox('postgres+redis');
  sessions = await openRedisSessions({ url: TEST_REDIS_URL, prefix: sandbox.env.REDIS_KEY_PREFIX! });
  await redis.connect();
});
afterEach(async () => {
  await sessions.close();
  await redis.close();
  await sandbox.cleanup();
});

describe('sessions in Redis', () => {
  it('are stored under the prefix with a time to live that matches the cookie', async () => {
    const data = {
      cookie: { originalMaxAge: 90_000, expires: new Date(Date.now() + 90_000) },
    } as unknown as SessionData;
    await viaCallback((done) => sessions.store(null as never).set('sid-ttl', data, done));
    const key = `${sandbox.env.REDIS_KEY_PREFIX}sid-ttl`;
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(80);
    expect(ttl).toBeLessThanOrEqual(90);
  });
});

describe('arrival counts in Redis', () => {
  it("are kept beside the sessions, under the prefix, for the limiter's window", async () => {
    const counts = sessions.arrivalCounts();
    await counts.init?.({ windowMs: 60_000 } as Options);
    expect((await counts.increment('203.0.113.1')).totalHits).toBe(1);
    expect((await counts.increment('203.0.113.1')).totalHits).toBe(2);
    const key = `${sandbox.env.REDIS_KEY_PREFIX}arrivals:203.0.113.1`;
    expect(await redis.get(key)).toBe('2');
    const ttl = await redis.pTTL(key);
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('load their script again when Redis has forgotten it, or never had it', async () => {
    const counts = sessions.arrivalCounts();
    await counts.init?.({ windowMs: 60_000 } as Options);
    await redis.scriptFlush();
    expect((await counts.increment('203.0.113.2')).totalHits).toBe(1);

    // As if Redis had been away when the limiter was made: the load failed once.
    const late = sessions.arrivalCounts() as typeof counts & { incrementScriptSha: Promise<string> };
    await late.init?.({ windowMs: 60_000 } as Options);
    late.incrementScriptSha = Promise.reject(new Error('Redis was away'));
    late.incrementScriptSha.catch(() => undefined);
    expect((await late.increment('203.0.113.2')).totalHits).toBe(2);
  });
});
