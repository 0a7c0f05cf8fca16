import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';

const base = {
  HOOK_URL: 'https://hook.example.com/callback',
  MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global',
  INTERACTION_HOOK_SECRET: Buffer.alloc(32, 1).toString('base64'),
};

function errorsFor(env: Record<string, string>): string[] {
  const loaded = loadSettings({ ...base, ...env });
  return loaded.ok ? [] : loaded.errors;
}

describe('storage settings', () => {
  it('defaults to the embedded SQLite file, with sessions in it', () => {
    const loaded = loadSettings(base);
    expect(loaded.ok && loaded.settings).toMatchObject({
      databaseUrl: undefined,
      redisUrl: undefined,
      databasePoolSize: 10,
      storageWaitSeconds: 30,
      redisKeyPrefix: 'interaction-hook:sess:',
    });
  });

  it('takes PostgreSQL and Redis URLs, pool size, wait and key prefix', () => {
    const loaded = loadSettings({
      ...base,
      DATABASE_URL: 'postgresql://hook:pw@db.internal:5432/hook',
      REDIS_URL: 'rediss://cache.internal:6380',
      DATABASE_POOL_SIZE: '25',
      STORAGE_WAIT_SECONDS: '0',
      REDIS_KEY_PREFIX: 'tenant-a:sess:',
    });
    expect(loaded.ok && loaded.settings).toMatchObject({
      databaseUrl: 'postgresql://hook:pw@db.internal:5432/hook',
      redisUrl: 'rediss://cache.internal:6380',
      databasePoolSize: 25,
      storageWaitSeconds: 0,
      redisKeyPrefix: 'tenant-a:sess:',
    });
  });

  it('names a DATABASE_URL of the wrong kind without repeating it (it may hold a password)', () => {
    const errors = errorsFor({ DATABASE_URL: 'mysql://root:hunter2secret@db/hook' });
    expect(errors).toEqual([expect.stringMatching(/^DATABASE_URL must start with postgres:\/\/ or postgresql:\/\//)]);
    expect(errors.join()).not.toContain('hunter2secret');
    expect(errorsFor({ DATABASE_URL: 'not a url hunter2secret' })).toEqual([
      expect.stringMatching(/^DATABASE_URL is not a valid URL/),
    ]);
    expect(errorsFor({ DATABASE_URL: 'not a url hunter2secret' }).join()).not.toContain('hunter2secret');
  });

  it('refuses a REDIS_URL that is not redis:// or rediss://', () => {
    expect(errorsFor({ DATABASE_URL: 'postgres://db/hook', REDIS_URL: 'http://cache:6379' })).toEqual([
      expect.stringMatching(/^REDIS_URL must start with redis:\/\/ or rediss:\/\//),
    ]);
  });

  it('refuses Redis sessions without PostgreSQL, which every replica must share', () => {
    expect(errorsFor({ REDIS_URL: 'redis://cache:6379' })).toEqual([
      expect.stringMatching(/^REDIS_URL needs DATABASE_URL/),
    ]);
  });

  it('refuses a pool size, wait or key prefix out of range, each with its own message', () => {
    const errors = errorsFor({
      DATABASE_URL: 'postgres://db/hook',
      DATABASE_POOL_SIZE: '0',
      STORAGE_WAIT_SECONDS: 'soon',
      REDIS_KEY_PREFIX: 'has space',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'DATABASE_POOL_SIZE must be a whole number from 1 to 200, got "0"',
        'STORAGE_WAIT_SECONDS must be a whole number from 0 to 600, got "soon"',
        'REDIS_KEY_PREFIX must be 1 to 64 visible ASCII characters without spaces',
      ]),
    );
    expect(errors).toHaveLength(3);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    const loaded = loadSettings({ ...base, DATABASE_URL: '' });
    expect(loaded.ok && loaded.settings.databaseUrl).toBeUndefined();
  });
});
