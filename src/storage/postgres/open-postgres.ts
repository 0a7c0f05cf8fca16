import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Store as SessionStore } from 'express-session';
import pg from 'pg';
import type { Storage } from '../ports.js';
import { sqlStorage } from '../sql/sql-storage.js';
import { reasonOf, StorageUnavailableError } from '../storage-unavailable.js';
import { PostgresArrivalCounts, pruneArrivalCounts } from './arrival-counts.js';
import { migrate } from './migrations.js';
import { asUnavailable, PostgresClient } from './postgres-client.js';

/** Sessions, and the arrival counts, kept elsewhere (Redis) instead of in PostgreSQL. */
export interface ExternalSessions {
  readonly engine: string;
  /** Made with the PostgreSQL client: what a session commit writes goes to PostgreSQL first. */
  store(client: PostgresClient): SessionStore;
  arrivalCounts(): RateLimitStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresOptions {
  url: string;
  poolSize: number;
  sessions?: ExternalSessions;
}

const ENGINE = 'PostgreSQL';

/**
 * Several replicas: the ledger, the single-use claims, step records and (without Redis) the
 * sessions and arrival counts in PostgreSQL. Connects, migrates, and throws
 * StorageUnavailableError when the server cannot be reached.
 */
export async function openPostgres(options: PostgresOptions): Promise<Storage> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize,
    // Bounded waits: a request fails closed rather than hanging while the server is away or
    // stuck. The server cancels a slow statement first; the client gives up on a silent one.
    connectionTimeoutMillis: 5_000,
    statement_timeout: 5_000,
    query_timeout: 8_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'interaction-hook',
  });
  // A pooled connection that dies while idle is dropped by the pool and replaced on next use.
  pool.on('error', () => undefined);
  try {
    await checkServer(pool);
    await migrate(options.url).catch((error: unknown) => {
      throw new Error(`${ENGINE} schema migration failed: ${reasonOf(error)}`, { cause: error });
    });
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const client = new PostgresClient(pool);
  const external = options.sessions;
  const query = client.query.bind(client);
  return sqlStorage(client, external ? `postgres+${external.engine}` : 'postgres', {
    sessions: external?.store(client),
    // Counted where the sessions are: in Redis when they are there (it is the faster of the two).
    arrivalCounts: () => external?.arrivalCounts() ?? new PostgresArrivalCounts(query),
    // Also with Redis: what an earlier deployment without it counted. Redis expires its keys by itself.
    pruneMore: (now) => pruneArrivalCounts(query, now),
    pingMore: external ? () => external.ping() : undefined,
    closeMore: external ? () => external.close() : undefined,
  });
}

/**
 * The first statement: tells an unreachable server (worth waiting for) from a refusal (a setting
 * to fix), and checks that a commit is on disk when it is acknowledged.
 */
async function checkServer(pool: pg.Pool): Promise<void> {
  let synchronousCommit: unknown;
  try {
    synchronousCommit = (await pool.query<{ value: string }>("SELECT current_setting('synchronous_commit') AS value"))
      .rows[0]?.value;
  } catch (error) {
    const unavailable = asUnavailable(error);
    throw unavailable instanceof StorageUnavailableError
      ? unavailable
      : new Error(`${ENGINE} refused the connection: ${reasonOf(error)}`, { cause: error });
  }
  if (synchronousCommit === 'off') {
    // A decision could then vanish after the user was sent back.
    throw new Error(
      `${ENGINE} runs with synchronous_commit = off, so decisions would not be durable before the redirect; turn it on for the hook's database or role (ALTER ROLE … SET synchronous_commit = on)`,
    );
  }
}
