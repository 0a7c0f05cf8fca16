import type Database from 'better-sqlite3';
import session from 'express-session';
import { sessionExpiresAt as expiresAt } from './session-expiry.js';
import type { SqliteGroupCommit } from './sqlite-group-commit.js';

/**
 * express-session's store on the embedded SQLite file, so a restart loses nobody's place. It has no
 * `touch`: see `sessions()` in web/sessions.ts.
 */
export class SqliteSessionStore extends session.Store {
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly writes: SqliteGroupCommit,
  ) {
    super();
    this.statements = {
      get: db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?'),
      set: db.prepare('INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at'),
      destroy: db.prepare('DELETE FROM sessions WHERE sid = ?'),
      prune: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    };
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    let row: { data: string } | undefined;
    try {
      row = this.statements.get.get(sid, Date.now());
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, row ? (JSON.parse(row.data) as session.SessionData) : null);
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.run(() => this.statements.set.run(sid, JSON.stringify(data), expiresAt(data)), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.run(() => this.statements.destroy.run(sid), callback);
  }

  pruneExpired(now: Date): number {
    return this.statements.prune.run(now.getTime()).changes;
  }

  /** Queues the write for the next group commit; the callback runs once it is on disk. */
  private run(write: () => unknown, callback?: (err?: unknown) => void): void {
    this.writes.run(write).then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}
