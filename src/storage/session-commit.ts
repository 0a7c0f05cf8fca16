import type { Session, SessionData } from 'express-session';
import type { SessionCommit } from './ports.js';

/**
 * What a session being saved must commit with it, keyed by the session object the store's `set`
 * is handed. Beside the session, not on it: a property added and deleted would turn the object
 * slow for every JSON.stringify and hash express-session does afterwards, and JSON must never see it.
 */
const pending = new WeakMap<object, SessionCommit>();

/**
 * Saves the session and, in the same commit, `commit`. Rejects with CommitRefusedError (and
 * writes nothing) when its claim or decision was made before; with the engine's error when it is away.
 */
export function saveSessionWith(session: Session & Partial<SessionData>, commit: SessionCommit = {}): Promise<void> {
  pending.set(session, commit);
  return new Promise<void>((resolve, reject) => {
    session.save((err?: unknown) => {
      pending.delete(session);
      if (err === undefined || err === null) resolve();
      else reject(err instanceof Error ? err : new Error('the session could not be saved'));
    });
  });
}

/** What a store's `set` must commit with the session it was handed, if anything. */
export function commitOf(data: SessionData): SessionCommit | undefined {
  const commit = pending.get(data);
  return commit && (commit.claim || commit.decision || commit.completion) ? commit : undefined;
}

/** Whether a save of this session carries something to commit: such a save is never skipped. */
export function carriesCommit(session: object): boolean {
  return commitOf(session as SessionData) !== undefined;
}
