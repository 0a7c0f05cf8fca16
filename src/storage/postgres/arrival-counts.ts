import type { IncrementResponse, Options, Store } from 'express-rate-limit';
/** Runs one statement written for PostgreSQL; errors are already StorageUnavailableError when the engine is away. */
export type Query = (
  text: string,
  values: readonly unknown[],
) => Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;

/** The window when express-rate-limit has not said (it always does, through init). */
const DEFAULT_WINDOW_MS = 60_000;

/**
 * express-rate-limit's store on PostgreSQL, so that every replica counts the same arrivals: fixed
 * windows from a client's first arrival, as its memory store keeps them. One statement per
 * arrival, atomic under concurrency (the row is locked by ON CONFLICT … DO UPDATE), timed by the
 * database's clock so that replicas whose clocks differ agree on when a window ends. Failures
 * reach express-rate-limit as they are (StorageUnavailableError when the server is away), which
 * lets the user in and logs them.
 */
export class PostgresArrivalCounts implements Store {
  /** Keys are shared with every replica and every other instance on the same table. */
  readonly localKeys = false;
  private windowMs = DEFAULT_WINDOW_MS;

  constructor(private readonly query: Query) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { rows } = await this.query(
      `INSERT INTO arrival_counts AS c (key, hits, resets_at) VALUES ($1, 1, now() + $2::integer * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET
         hits = CASE WHEN c.resets_at <= now() THEN 1 ELSE c.hits + 1 END,
         resets_at = CASE WHEN c.resets_at <= now() THEN excluded.resets_at ELSE c.resets_at END
       RETURNING hits, resets_at`,
      [key, this.windowMs],
    );
    const row = rows[0] as { hits: number; resets_at: Date };
    return { totalHits: row.hits, resetTime: row.resets_at };
  }

  async decrement(key: string): Promise<void> {
    await this.query('UPDATE arrival_counts SET hits = hits - 1 WHERE key = $1 AND hits > 0', [key]);
  }

  async resetKey(key: string): Promise<void> {
    await this.query('DELETE FROM arrival_counts WHERE key = $1', [key]);
  }
}

/** Deletes the counts whose window has ended (a later arrival would start afresh anyway). */
export async function pruneArrivalCounts(query: Query, now: Date): Promise<number> {
  return (await query('DELETE FROM arrival_counts WHERE resets_at <= $1', [now])).rowCount ?? 0;
}
