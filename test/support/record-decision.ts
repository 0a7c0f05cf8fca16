import { randomBytes } from 'node:crypto';
import session, { type Session } from 'express-session';
import { CommitRefusedError, type DecisionRecord } from '../../src/interaction/model.js';
import type { Storage } from '../../src/storage/ports.js';
import { saveSessionWith } from '../../src/storage/session-commit.js';

/**
 * Appends `record` to the ledger the one way the hook does: committed with a session's save (here
 * a session of its own). False, and nothing written, when its interaction decided that step before.
 */
export async function recordDecision(storage: Pick<Storage, 'sessions'>, record: DecisionRecord): Promise<boolean> {
  const request = { sessionID: randomBytes(16).toString('base64url'), sessionStore: storage.sessions };
  // The constructor express-session calls for each request (its types call it private).
  const NewSession = session.Session as unknown as new (req: typeof request, data: object) => Session;
  const saved = new NewSession(request, { cookie: new session.Cookie() });
  try {
    await saveSessionWith(saved, { decision: record });
    return true;
  } catch (error) {
    if (error instanceof CommitRefusedError && error.reason === 'already_decided') return false;
    throw error;
  }
}
