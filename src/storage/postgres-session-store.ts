import session from 'express-session';
import { sessionExpiresAt } from './session-expiry.js';

/** Runs one statement; errors are already StorageUnavailableError when the engine is away. */
export type Query = (text: string, values: unknown[]) => Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }>;

/**
 * express-session's store on PostgreSQL, so that any replica can serve any request of a journey.
 * It has no `touch`: see `sessions()` in web/sessions.ts.
 */
export class PostgresSessionStore extends session.Store {
  constructor(private readonly query: Query) {
    super();
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.query('SELECT data FROM sessions WHERE sid = $1 AND expires_at > $2', [sid, new Date()]).then(
      ({ rows }) => callback(null, rows[0] ? (JSON.parse(String(rows[0].data)) as session.SessionData) : null),
      (error: unknown) => callback(error),
    );
  }

  override set(sid: string, data: session.SessionData, callback?: (err?: unknown) => void): void {
    this.done(
      this.query('INSERT INTO sessions (sid, data, expires_at) VALUES ($1, $2, $3) ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at', [
        sid,
        JSON.stringify(data),
        new Date(sessionExpiresAt(data)),
      ]),
      callback,
    );
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.done(this.query('DELETE FROM sessions WHERE sid = $1', [sid]), callback);
  }

  async pruneExpired(now: Date): Promise<number> {
    return (await this.query('DELETE FROM sessions WHERE expires_at <= $1', [now])).rowCount ?? 0;
  }

  private done(write: Promise<unknown>, callback?: (err?: unknown) => void): void {
    write.then(
      () => callback?.(),
      (error: unknown) => callback?.(error),
    );
  }
}
