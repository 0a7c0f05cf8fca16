import session from 'express-session';
import { commitOf } from '../session-commit.js';
import { sessionExpiresAt } from '../session-expiry.js';
import { sessionCommitStatements } from './session-commit-statements.js';
import type { SqlClient } from './sql-client.js';

/**
 * express-session's store in the SQL database, so a restart loses nobody's place and any replica
 * can serve any request. A session saved with a SessionCommit is written in the same transaction as
 * it. It has no `touch`: see `sessions()` in web/sessions.ts.
 */
export class SqlSessionStore extends session.Store {
  constructor(private readonly client: SqlClient) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.client
      .row<{ data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?', [
        sid,
        this.client.time(new Date()),
      ])
      .then(
        (row) => callback(null, row ? (JSON.parse(row.data) as session.SessionData) : null),
        (error: unknown) => callback(error),
      );
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    const commit = commitOf(data);
    const session = {
      text: 'INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at',
      values: [sid, JSON.stringify(data), this.client.time(new Date(sessionExpiresAt(data)))],
    };
    // The session first: what the commit carries ends with the ledger's chain, held until the commit.
    this.done(
      this.client.commit(commit ? [session, ...sessionCommitStatements(this.client, commit)] : [session]),
      callback,
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.done(this.client.commit([{ text: 'DELETE FROM sessions WHERE sid = ?', values: [sid] }]), callback);
  }

  private done(write: Promise<unknown>, callback?: (err?: unknown) => void): void {
    write.then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}
