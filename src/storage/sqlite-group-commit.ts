import type Database from 'better-sqlite3';

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
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O callbacks: every request already read gets into this batch.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now (also used before the database is closed). */
  flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
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
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
