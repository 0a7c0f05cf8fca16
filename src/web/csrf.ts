import { csrfSync } from 'csrf-sync';

/** The hidden form field that carries the synchroniser token. */
export const CSRF_FIELD = '_csrf';
/** The header a page's script sends it in, for JSON requests. */
const CSRF_HEADER = 'x-csrf-token';

/** Synchroniser-token CSRF protection, the token kept in the session: from the form field, or the header for JSON. */
export const { csrfSynchronisedProtection: csrfProtection, generateToken: csrfToken } = csrfSync({
  // 256 random bits, where the library's default of 1,024 only made every session, page and
  // form post 192 characters longer.
  size: 32,
  getTokenFromRequest: (req) => {
    const value = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get(CSRF_HEADER);
    return typeof value === 'string' ? value : undefined;
  },
});
