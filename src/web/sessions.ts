import type { Request, RequestHandler } from 'express';
import session from 'express-session';
import type { Store } from 'express-session';

export interface SessionOptions {
  store: Store;
  secret: string;
  /** True when the hook URL is https: the cookie is then `Secure` and `__Host-` prefixed. */
  secure: boolean;
  maxAgeMs: number;
}

/** Cookie sessions on the persistent store: `HttpOnly`, `SameSite=Lax`, `Secure` on https. */
export function sessions(options: SessionOptions): RequestHandler {
  return session({
    store: options.store,
    secret: options.secret,
    name: options.secure ? '__Host-hook.sid' : 'hook.sid',
    resave: false,
    saveUninitialized: false,
    // On https the hook sits behind a TLS-terminating proxy; trust its X-Forwarded-Proto for the
    // Secure cookie, whatever TRUST_PROXY says about client addresses.
    proxy: options.secure ? true : undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', maxAge: options.maxAgeMs },
  });
}

/** Writes the session now, so that it is stored before the response sends the user on. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/**
 * Gives the session a new id and keeps its contents: an id planted in the browser before the
 * arrival (session fixation) is worthless after it, while the journeys open in other tabs, and
 * the CSRF token their forms carry, keep working.
 */
export async function regenerateSession(req: Request): Promise<void> {
  const { cookie: _cookie, ...contents } = req.session;
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  Object.assign(req.session, contents);
}
