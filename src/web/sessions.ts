import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Store } from 'express-session';
import { timeOrderedId } from './time-ordered-id.js';

export interface SessionOptions {
  store: Store;
  secret: string;
  /** True when the hook URL is https: the cookie is then `Secure` and `__Host-` prefixed. */
  secure: boolean;
  maxAgeMs: number;
}

/**
 * Cookie sessions on the persistent store: `HttpOnly`, `SameSite=Lax`, `Secure` on https.
 *
 * The stores have no `touch`. The cookie does not roll: it is sent, with a new expiry, only when
 * the session is saved, so the browser forgets the session at the expiry that save stored. A touch
 * would move only the stored expiry, on every request that changes nothing — a write for nothing,
 * around which express-session also splits the response in two.
 */
export function sessions(options: SessionOptions): RequestHandler {
  return session({
    store: options.store,
    secret: options.secret,
    name: options.secure ? '__Host-hook.sid' : 'hook.sid',
    // 192 random bits, as express-session's own ids have, after the time: see timeOrderedId.
    genid: () => timeOrderedId(24),
    resave: false,
    saveUninitialized: false,
    // On https the hook sits behind a TLS-terminating proxy; trust its X-Forwarded-Proto for the
    // Secure cookie, whatever TRUST_PROXY says about client addresses.
    proxy: options.secure ? true : undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', maxAge: options.maxAgeMs },
  });
}

/**
 * Gives the session a new id and empty contents: an id planted in the browser before the arrival
 * (session fixation) is worthless after it, and nothing the planted session held — interactions,
 * or the CSRF token an attacker could have read from it — carries over. Journeys open in other
 * tabs of the same browser end with it; their pages then answer "this page has expired" with a
 * link to the journey that replaced them (web/error-pages.ts).
 *
 * Only an id the browser sent can have been planted. One express-session made up during this
 * request (no cookie, or one naming no stored session) was never stored or sent, so it needs no
 * replacing — and destroying it would cost a durable write of nothing.
 */
export async function regenerateSession(req: Request, options: { mustSave?: (session: object) => boolean } = {}): Promise<void> {
  if (!carriesStoredSession(req)) return;
  await new Promise<void>((resolve, reject) => {
    req.session.regenerate((err: unknown) => {
      if (err === undefined || err === null) resolve();
      else reject(err instanceof Error ? err : new Error('the session could not be replaced'));
    });
  });
  saveOnlyWhenChanged(req.session, options.mustSave ?? (() => false));
}

/** Whether the browser came with a session the store holds (one a planted id could name). */
export function carriesStoredSession(req: Request): boolean {
  return req.headers.cookie?.includes(req.sessionID) ?? false;
}

/**
 * express-session skips its end-of-request save when the session is as last saved, but it keeps
 * that record only for sessions it made itself, not for one `regenerate` made: the explicit save
 * before the redirect would be followed by a second, identical durable write. This gives the
 * regenerated session the same check (contents only; the cookie's expiry moves on every request,
 * and the store's expiry needs no more than the save already wrote).
 */
function saveOnlyWhenChanged(session: Request['session'], mustSave: (session: object) => boolean): void {
  const save = session.save.bind(session);
  let saved: string | undefined;
  Object.defineProperty(session, 'save', {
    configurable: true,
    enumerable: false,
    writable: true,
    value(this: Request['session'], callback?: (err?: unknown) => void) {
      const contents = JSON.stringify(this, (key, value: unknown) => (key === 'cookie' ? undefined : value));
      // A save that carries something beside the contents (the storage's commit) is never skipped.
      if (contents === saved && !mustSave(this)) {
        if (callback) process.nextTick(callback);
        return this;
      }
      saved = contents;
      return save((err?: unknown) => {
        if (err !== undefined && err !== null) saved = undefined;
        callback?.(err);
      });
    },
  });
}
