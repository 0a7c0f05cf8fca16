import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createClient } from 'redis';

/**
 * The engine combination a test run uses, set per vitest project (vitest.config.ts): the same
 * integration suite runs on each.
 */
export type TestEngine = 'sqlite' | 'postgres' | 'postgres+redis';

export const TEST_ENGINE: TestEngine = engineFrom(process.env.TEST_STORAGE);

/** The servers this machine (and CI) runs; override to point the suite elsewhere. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Every test schema starts with this, followed by its creation time, so stale ones can be found. */
const SCHEMA_PREFIX = 'hook_test_';

export interface EngineSandbox {
  engine: TestEngine;
  /** DATABASE_URL, REDIS_URL and REDIS_KEY_PREFIX as the engine needs: spread into the settings' env. */
  env: Record<string, string>;
  /** Drops the schema and deletes the keys this sandbox made. */
  cleanup(): Promise<void>;
}

/**
 * A private corner of the shared servers: a PostgreSQL schema of its own (chosen through the URL's
 * search_path, as an operator could) and a Redis key prefix of its own, so that suites of several
 * engines, files and worktrees run at the same time without meeting.
 */
export async function engineSandbox(
  engine: TestEngine = TEST_ENGINE,
  servers: { databaseUrl?: string; redisUrl?: string } = {},
): Promise<EngineSandbox> {
  if (engine === 'sqlite') return { engine, env: {}, cleanup: async () => undefined };
  const id = `${Date.now().toString(36)}_${randomBytes(5).toString('hex')}`;
  const schema = `${SCHEMA_PREFIX}${id}`;
  await admin((client) => client.query(`CREATE SCHEMA ${schema}`));
  const env: Record<string, string> = {
    DATABASE_URL: withSearchPath(servers.databaseUrl ?? TEST_DATABASE_URL, schema),
    DATABASE_POOL_SIZE: '4',
    // A server missing from the test machine is reported at once, not after the production wait.
    STORAGE_WAIT_SECONDS: '0',
  };
  const prefix = `hook-test:${id}:`;
  if (engine === 'postgres+redis')
    Object.assign(env, { REDIS_URL: servers.redisUrl ?? TEST_REDIS_URL, REDIS_KEY_PREFIX: prefix });
  return {
    engine,
    env,
    async cleanup() {
      await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
      if (engine === 'postgres+redis') await deleteKeys(TEST_REDIS_URL, prefix);
    },
  };
}

/** The URL with `search_path` set through the connection's startup options. */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

/** Drops test schemas left behind by runs that were killed, once they are an hour old. */
export async function dropStaleSchemas(maxAgeMs = 3_600_000): Promise<void> {
  await admin(async (client) => {
    const { rows } = await client.query<{ name: string }>(
      'SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)',
      [SCHEMA_PREFIX],
    );
    for (const { name } of rows) {
      const born = parseInt(name.slice(SCHEMA_PREFIX.length).split('_')[0] ?? '', 36);
      if (Number.isFinite(born) && Date.now() - born > maxAgeMs) {
        // Another run may be dropping the same schema at this moment.
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`).catch(() => undefined);
      }
    }
  });
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function deleteKeys(url: string, prefix: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  try {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) keys.push(...batch);
    if (keys.length > 0) await client.del(keys);
  } finally {
    await client.close();
  }
}

function engineFrom(value: string | undefined): TestEngine {
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres' || value === 'postgres+redis') return value;
  throw new Error(`TEST_STORAGE must be sqlite, postgres or postgres+redis, got "${value}"`);
}
