import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HookError, PAGES } from './hook-error.js';
import { en } from './messages/en.js';

/** Anything no route answered. */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new HookError('not_found', 404, PAGES.notFound));
};

/**
 * The page of last resort, when even the error page cannot be rendered: plain, English, and
 * without anything from the request.
 */
export const FALLBACK_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${en['server.error.title']}</title></head>
<body><h1>${en['server.error.title']}</h1><p>${en['server.error.body']}</p></body></html>`;

export interface ErrorPageOptions {
  /** Whether an error means the storage is away: a 503 "try again", never a 500. */
  isUnavailable: (error: unknown) => boolean;
  /** Whether a path is a page of our own that may be offered again ("try again"). */
  mayRetry: (path: string) => boolean;
}

/**
 * Every failure ends here: a page in the user's language with a status and a reference (or, for a
 * step's JSON action, which sets `res.locals.answersJson`, a JSON body with the code), never a stack trace, a token or a redirect — in
 * every NODE_ENV, because nothing reaches Express's own handler (which shows stacks outside production).
 */
export function errorPage(options: ErrorPageOptions): ErrorRequestHandler {
  return (err, req, res, next) => {
    const error = toHookError(err, req.method, options);
    // For the metrics, which count refusals by code.
    res.locals.errorCode = error.code;
    if (error.status >= 500) req.log.error({ code: error.code, err: err instanceof HookError ? undefined : err }, 'request failed');
    else req.log.warn({ code: error.code }, 'request refused');
    if (res.headersSent) {
      next(err);
      return;
    }
    res.set('Cache-Control', 'no-store');
    res.removeHeader('Location');
    if (error.status === 503) res.set('Retry-After', '5');
    res.status(error.status);
    if (res.locals.answersJson === true) {
      res.json({ error: error.code, reference: String(req.id) });
      return;
    }
    // Only ever back to a page of our own: never a path taken from elsewhere.
    const retryHref = error.page.retry === true && options.mayRetry(req.path) ? req.path : null;
    res.render('message', { page: error.page, code: error.code, retryHref }, (renderError: Error | null, html?: string) => {
      if (renderError) {
        req.log.error({ err: renderError }, 'error page could not be rendered');
        res.type('html').send(FALLBACK_PAGE);
        return;
      }
      res.type('html').send(html);
    });
  };
}

function toHookError(err: unknown, method: string, options: ErrorPageOptions): HookError {
  if (err instanceof HookError) return err;
  // Fail closed while the storage is away: a page saying so, never a redirect.
  if (options.isUnavailable(err)) return new HookError('storage_unavailable', 503, method === 'POST' ? PAGES.storageUnavailable : PAGES.storageUnreachable);
  const { code, status, type } = (err ?? {}) as { code?: unknown; status?: unknown; type?: unknown };
  if (code === 'EBADCSRFTOKEN') return new HookError('csrf_invalid', 403, PAGES.formExpired);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HookError(typeof type === 'string' ? `request_${type.replace(/\W/g, '_')}` : 'request_invalid', status, PAGES.requestInvalid);
  }
  return new HookError('internal_error', 500, PAGES.serverError);
}
