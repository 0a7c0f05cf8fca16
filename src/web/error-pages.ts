import type { ErrorRequestHandler, RequestHandler } from 'express';
import { HookError, PAGES } from './hook-error.js';

/** Anything no route answered. */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(new HookError('not_found', 404, PAGES.notFound));
};

/**
 * Every failure ends here: a page in the user's language with a status and a reference, never a
 * stack trace, a token or a redirect.
 */
export const errorPage: ErrorRequestHandler = (err, req, res, next) => {
  const error = toHookError(err);
  // For the metrics, which count refusals by code.
  res.locals.errorCode = error.code;
  if (error.status >= 500) req.log.error({ code: error.code, err: err instanceof HookError ? undefined : err }, 'request failed');
  else req.log.warn({ code: error.code }, 'request refused');
  if (res.headersSent) {
    next(err);
    return;
  }
  res.set('Cache-Control', 'no-store');
  res.status(error.status).render('message', { page: error.page, code: error.code });
};

function toHookError(err: unknown): HookError {
  if (err instanceof HookError) return err;
  const { code, status, type } = (err ?? {}) as { code?: unknown; status?: unknown; type?: unknown };
  if (code === 'EBADCSRFTOKEN') return new HookError('csrf_invalid', 403, PAGES.formExpired);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HookError(typeof type === 'string' ? `request_${type.replace(/\W/g, '_')}` : 'request_invalid', status, PAGES.requestInvalid);
  }
  return new HookError('internal_error', 500, PAGES.serverError);
}
