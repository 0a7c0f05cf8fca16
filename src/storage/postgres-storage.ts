import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Store } from 'express-session';
import pg from 'pg';
import { PostgresArrivalCounts, pruneArrivalCounts } from './postgres-arrival-counts.js';
import { migrate } from './postgres-migrations.js';
import { PostgresSessionStore, type Query } from './postgres-session-store.js';
import { reasonOf, StorageUnavailableError } from './storage-unavailable.js';
import { decisionFromRow, type DecisionRow } from './decision-row.js';
import type { Decision, DecisionRecord, PublishedTerms, Storage } from './storage.js';

/** Sessions, and the arrival counts, kept elsewhere (Redis) instead of in PostgreSQL. */
export interface ExternalSessions {
  readonly engine: string;
  readonly store: Store;
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
/** Rows fetched per round trip when the ledger is read out. */
const EXPORT_BATCH = 500;

/**
 * SQLSTATE classes that mean "the server cannot serve this now" rather than "this statement is
 * wrong": connection exception, insufficient resources, operator intervention (shutdown,
 * statement timeout), system error, transaction rollback (serialisation, deadlock).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58', '40']);

/** A ledger row as PostgreSQL returns it: `timestamptz` and `jsonb` arrive parsed. */
type PostgresDecisionRow = DecisionRow<Date, Record<string, unknown> | null> & { seq: string };

/** Several replicas: the ledger, the single-use claims and (without Redis) the sessions and arrival counts in PostgreSQL. */
export class PostgresStorage implements Storage {
  readonly engine: string;
  readonly sessions: Store;
  private readonly ownSessions: PostgresSessionStore | undefined;
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly external: ExternalSessions | undefined,
  ) {
    this.engine = external ? `postgres+${external.engine}` : 'postgres';
    this.ownSessions = external ? undefined : new PostgresSessionStore(this.query);
    this.sessions = external?.store ?? this.ownSessions!;
  }

  /** Connects, migrates, and throws StorageUnavailableError when the server cannot be reached. */
  static async open(options: PostgresOptions): Promise<PostgresStorage> {
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
    return new PostgresStorage(pool, options.sessions);
  }

  async claimOnce(key: string, expiresAt: Date): Promise<boolean> {
    const result = await this.query('INSERT INTO claims (key, expires_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, expiresAt]);
    return result.rowCount === 1;
  }

  async recordDecision(r: DecisionRecord): Promise<boolean> {
    const result = await this.query(
      `INSERT INTO decisions (interaction_id, state, subject, step, terms_version, terms_hash, locale, decision, at, ip, user_agent, claims)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (interaction_id, step) DO NOTHING`,
      [r.interactionId, r.state, r.subject, r.step, r.termsVersion, r.termsHash, r.locale, r.decision, r.at, r.ip, r.userAgent, r.claims === null ? null : JSON.stringify(r.claims)],
    );
    return result.rowCount === 1;
  }

  async publishTerms(t: PublishedTerms): Promise<{ ok: true } | { ok: false; publishedSha256: string }> {
    await this.query('INSERT INTO published_terms (step, version, locale, sha256, first_seen) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [t.step, t.version, t.locale, t.sha256, new Date()]);
    const { rows } = await this.query('SELECT sha256 FROM published_terms WHERE step = $1 AND version = $2 AND locale = $3', [t.step, t.version, t.locale]);
    const published = rows[0]?.sha256;
    return typeof published === 'string' && published !== t.sha256 ? { ok: false, publishedSha256: published } : { ok: true };
  }

  /** Served by the UNIQUE (interaction_id, step) index that also guards recordDecision. */
  async decisionFor(interactionId: string, step: string): Promise<Decision | null> {
    const { rows } = await this.query('SELECT decision FROM decisions WHERE interaction_id = $1 AND step = $2', [interactionId, step]);
    return (rows[0]?.decision as Decision | undefined) ?? null;
  }

  async hasAccepted(subject: string, step: string, version: string): Promise<boolean> {
    const { rows } = await this.query("SELECT 1 FROM decisions WHERE subject = $1 AND step = $2 AND terms_version = $3 AND decision = 'accepted' LIMIT 1", [subject, step, version]);
    return rows.length > 0;
  }

  /** Reads in batches by sequence number, so an export holds no connection while the caller works. */
  async *decisions(filter: { since?: Date } = {}): AsyncIterable<DecisionRecord> {
    const since = filter.since ?? new Date(0);
    let after = '0';
    for (;;) {
      const { rows } = await this.query('SELECT * FROM decisions WHERE at >= $1 AND seq > $2 ORDER BY seq LIMIT $3', [since, after, EXPORT_BATCH]);
      for (const row of rows as unknown as PostgresDecisionRow[]) {
        yield decisionFromRow(row, { at: (at) => at, claims: (claims) => claims });
      }
      if (rows.length < EXPORT_BATCH) return;
      after = (rows[rows.length - 1] as unknown as PostgresDecisionRow).seq;
    }
  }

  async pruneDecisions(before: Date): Promise<number> {
    return (await this.query('DELETE FROM decisions WHERE at < $1', [before])).rowCount ?? 0;
  }

  /** Counted where the sessions are: in Redis when they are there (it is the faster of the two). */
  arrivalCounts(): RateLimitStore {
    return this.external?.arrivalCounts() ?? new PostgresArrivalCounts(this.query);
  }

  /**
   * Claims, PostgreSQL sessions and ended arrival counts (also with Redis: what an earlier
   * deployment without it counted); Redis expires its keys by itself.
   */
  async pruneExpired(now: Date): Promise<number> {
    const claims = (await this.query('DELETE FROM claims WHERE expires_at <= $1', [now])).rowCount ?? 0;
    const arrivals = await pruneArrivalCounts(this.query, now);
    return claims + arrivals + ((await this.ownSessions?.pruneExpired(now)) ?? 0);
  }

  async ping(): Promise<void> {
    await Promise.all([this.query('SELECT 1', []), this.external?.ping()]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.external?.close()]);
  }

  /** Every statement goes through here, so an unreachable server always surfaces the same way. */
  private readonly query: Query = async (text, values) => {
    try {
      return await this.pool.query(text, values);
    } catch (error) {
      throw asUnavailable(error);
    }
  };
}

/**
 * The first statement: tells an unreachable server (worth waiting for) from a refusal (a setting
 * to fix), and checks that a commit is on disk when it is acknowledged.
 */
async function checkServer(pool: pg.Pool): Promise<void> {
  let synchronousCommit: unknown;
  try {
    synchronousCommit = (await pool.query("SELECT current_setting('synchronous_commit') AS value")).rows[0]?.value;
  } catch (error) {
    const unavailable = asUnavailable(error);
    throw unavailable instanceof StorageUnavailableError ? unavailable : new Error(`${ENGINE} refused the connection: ${reasonOf(error)}`, { cause: error });
  }
  if (synchronousCommit === 'off') {
    // A decision could then vanish after the user was sent back.
    throw new Error(
      `${ENGINE} runs with synchronous_commit = off, so decisions would not be durable before the redirect; turn it on for the hook's database or role (ALTER ROLE … SET synchronous_commit = on)`,
    );
  }
}

/** Connection trouble becomes StorageUnavailableError; a statement the server refuses stays as it is (a bug). */
function asUnavailable(error: unknown): unknown {
  if (error instanceof pg.DatabaseError && !UNAVAILABLE_CLASSES.has(String(error.code).slice(0, 2))) return error;
  if (!(error instanceof Error) || error instanceof StorageUnavailableError) return error;
  return new StorageUnavailableError(ENGINE, { cause: error });
}
