import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { SessionData, Store } from 'express-session';
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

declare module 'express-session' {
  interface SessionData {
    /** The SHA-256 of the binding cookie set beside this session's cookie: whose browser it was given to. */
    browserBinding?: string;
  }
}

/** The cookie set beside the session's own, whose digest the session keeps (see givenToThisBrowser). */
const BINDING_COOKIE = 'hook.bind';

/**
 * Gives the session a new id (an id planted in the browser before the arrival, session fixation,
 * is worthless after it) and only what `carry` keeps of the old contents — and that only when the
 * old session is one this hook gave this browser (givenToThisBrowser). A planted session carries
 * nothing over: not its journeys, nor the CSRF token an attacker could have read from it. Then
 * binds the session to this browser afresh.
 *
 * Only an id the browser sent can have been planted. One express-session made up during this
 * request (no cookie, or one naming no stored session) was never stored or sent, so it needs no
 * replacing — and destroying it would cost a durable write of nothing.
 */
export async function regenerateSession(
  req: Request,
  res: Response,
  options: {
    mustSave?: (session: object) => boolean;
    carry?: (session: Partial<SessionData>) => Partial<SessionData>;
  } = {},
): Promise<void> {
  if (carriesStoredSession(req)) {
    const carried = givenToThisBrowser(req) && options.carry ? options.carry(req.session) : {};
    await new Promise<void>((resolve, reject) => {
      req.session.regenerate((err: unknown) => {
        if (err === undefined || err === null) resolve();
        else reject(err instanceof Error ? err : new Error('the session could not be replaced'));
      });
    });
    Object.assign(req.session, carried);
    saveOnlyWhenChanged(req.session, options.mustSave ?? (() => false));
  }
  bindToBrowser(req, res);
}

/**
 * Whether the session the browser presents is one this hook gave this browser: it keeps the
 * digest of a random value the hook set, with it, in a second cookie of this browser, and the
 * browser presents that value. A session id taken from another browser and planted here comes
 * without it (or with this browser's own, which does not match).
 */
function givenToThisBrowser(req: Request): boolean {
  const stored = req.session.browserBinding;
  const presented = cookieValue(req, bindingCookieName(req));
  if (stored === undefined || presented === undefined) return false;
  const [a, b] = [Buffer.from(digest(presented)), Buffer.from(stored)];
  return a.length === b.length && timingSafeEqual(a, b);
}

function bindToBrowser(req: Request, res: Response): void {
  const value = randomBytes(32).toString('base64url');
  req.session.browserBinding = digest(value);
  const { secure, originalMaxAge } = req.session.cookie;
  res.cookie(bindingCookieName(req), value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: secure === true,
    path: '/',
    ...(originalMaxAge === null ? {} : { maxAge: originalMaxAge }),
  });
}

/** `__Host-` on https, as the session's own cookie: no other site or sub-domain may set it. */
function bindingCookieName(req: Request): string {
  return req.session.cookie.secure === true ? `__Host-${BINDING_COOKIE}` : BINDING_COOKIE;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
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
