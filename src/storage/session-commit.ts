import type { Session, SessionData } from 'express-session';
import type { SessionCommit } from './ports.js';

/**
 * Where a session carries what must commit with it. A symbol: JSON (the stores' serialisation and
 * express-session's own "has it changed" hash) never sees it.
 */
const COMMIT = Symbol('session commit');

type Carrier = Session & Partial<SessionData> & { [COMMIT]?: SessionCommit };

/**
 * Saves the session and, in the same commit, `commit`. Rejects with CommitRefusedError (and
 * writes nothing) when its claim or decision was made before; with the engine's error when it is away.
 */
export function saveSessionWith(session: Session & Partial<SessionData>, commit: SessionCommit = {}): Promise<void> {
  const carrier = session as Carrier;
  carrier[COMMIT] = commit;
  return new Promise<void>((resolve, reject) => {
    carrier.save((err?: unknown) => {
      Reflect.deleteProperty(carrier, COMMIT);
      if (err === undefined || err === null) resolve();
      else reject(err instanceof Error ? err : new Error('the session could not be saved'));
    });
  });
}

/** What a store's `set` must commit with the session it was handed, if anything. */
export function commitOf(data: SessionData): SessionCommit | undefined {
  const commit = (data as unknown as { [COMMIT]?: SessionCommit })[COMMIT];
  return commit && (commit.claim || commit.decision || commit.completion) ? commit : undefined;
}
