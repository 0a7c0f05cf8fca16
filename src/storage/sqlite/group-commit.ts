import type Database from 'better-sqlite3';

/** How soon a batch tries the write lock again while another process holds it. */
const RETRY_MS = 1;

interface PendingWrite {
  write: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for the embedded database. With `synchronous = FULL` every commit waits for the disk
 * (fsync); committing each write alone made that wait the hook's bottleneck. Writes that arrive
 * while the event loop is busy are instead queued and, once the loop has read every pending
 * request, run together in one transaction: one fsync makes the whole batch durable. A caller's
 * promise settles only after the batch holding its write has committed, so "resolved" still means
 * "on disk" — a decision is durable before the user is redirected.
 *
 * A write that throws (say, a CHECK constraint) fails alone; SQLite undoes just that statement and
 * the rest of the batch commits. If the transaction itself is lost, every write in it fails.
 */
export class SqliteGroupCommit {
  private pending: PendingWrite[] = [];
  private scheduled = false;

  constructor(private readonly db: Database.Database) {}

  /** Runs `write` inside the next batch; resolves with its result once the batch is committed. */
  run<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      // After this turn's I/O callbacks: every request already read gets into this batch.
      this.schedule(() => setImmediate(() => this.flush()));
    });
  }

  /**
   * Commits whatever is queued now. When another process (a second worker) holds the write lock,
   * the batch waits for a later turn of the event loop, still open to new writes, instead of
   * blocking the loop in SQLite's busy handler, which sleeps whole milliseconds while requests
   * queue up. `wait` (used before the database is closed) blocks until the lock is free.
   */
  flush(wait = false): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    let locked: boolean;
    try {
      locked = wait ? this.lock() : this.lockIfFree();
    } catch (error) {
      this.fail(this.take(), error);
      return;
    }
    if (!locked) {
      this.schedule(() => setTimeout(() => this.flush(), RETRY_MS));
      return;
    }
    const batch = this.take();
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      for (const item of batch) {
        try {
          outcomes.push({ ok: true, value: item.write() });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
        // Some errors (disk full, I/O) roll the whole transaction back; nothing after may run outside it.
        if (!this.db.inTransaction) throw new Error('the write transaction was rolled back');
      }
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.fail(batch, error);
      return;
    }
    for (const [i, item] of batch.entries()) {
      const outcome = outcomes[i];
      if (outcome?.ok === true) item.resolve(outcome.value);
      else item.reject(outcome?.error);
    }
  }

  private schedule(later: () => void): void {
    if (this.scheduled) return;
    this.scheduled = true;
    later();
  }

  private take(): PendingWrite[] {
    const batch = this.pending;
    this.pending = [];
    return batch;
  }

  private fail(batch: PendingWrite[], error: unknown): void {
    for (const item of batch) item.reject(error);
  }

  private lock(): true {
    this.db.exec('BEGIN IMMEDIATE');
    return true;
  }

  /** Takes the write lock if no other connection holds it; false if one does. */
  private lockIfFree(): boolean {
    // A PRAGMA acts when it is prepared, so these cannot be prepared once and rerun.
    const patience = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      return this.lock();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      this.db.pragma(`busy_timeout = ${patience}`);
    }
  }
}
