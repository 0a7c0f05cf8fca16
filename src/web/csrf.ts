import { csrfSync } from 'csrf-sync';

/** The hidden form field that carries the synchroniser token. */
export const CSRF_FIELD = '_csrf';

/** Synchroniser-token CSRF protection, the token kept in the session. */
export const { csrfSynchronisedProtection: csrfProtection, generateToken: csrfToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const value = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    return typeof value === 'string' ? value : undefined;
  },
});
