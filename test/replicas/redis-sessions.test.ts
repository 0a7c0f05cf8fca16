import type { SessionData } from 'express-session';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRedisSessions } from '../../src/storage/redis-sessions.js';
import type { ExternalSessions } from '../../src/storage/postgres-storage.js';
import { engineSandbox, TEST_REDIS_URL, type EngineSandbox } from '../support/storage-engine.js';

/** Redis expires sessions by itself, under the configured prefix, so nothing needs pruning there. */
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
    const data = { cookie: { originalMaxAge: 90_000, expires: new Date(Date.now() + 90_000) } } as unknown as SessionData;
    await new Promise<void>((resolve, reject) => sessions.store.set('sid-ttl', data, (err) => (err ? reject(err) : resolve())));
    const key = `${sandbox.env.REDIS_KEY_PREFIX}sid-ttl`;
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(80);
    expect(ttl).toBeLessThanOrEqual(90);
  });
});
