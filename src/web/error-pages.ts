import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { hookError, requestRefused } from './error-codes.js';
import { HookError, PAGES, type PageKeys } from './hook-error.js';
import { en } from './messages/en.js';
import { requestReference } from './request-logging.js';

/** Anything no route answered. */
export const notFound: RequestHandler = (_req, _res, next) => {
  next(hookError('not_found'));
};

/**
 * The page of last resort, when even the error page cannot be rendered: plain, English, and
 * without anything from the request.
 */
const FALLBACK_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${en['server.error.title']}</title></head>
<body><h1>${en['server.error.title']}</h1><p>${en['server.error.body']}</p></body></html>`;

/**
 * Every failure ends here: a page in the user's language with a status and a reference, never a
 * stack trace, a token or a redirect — in every NODE_ENV, because nothing reaches Express's own
 * handler (which shows stacks outside production).
 */
export interface ErrorPageOptions {
  /** Whether an error means the storage is away: a 503 "try again", never a 500. */
  isUnavailable: (error: unknown) => boolean;
  /** Whether a path is an interaction's page of our own, which may be offered again. */
  isInteractionPath: (path: string) => boolean;
}

/**
 * Every failure ends here: a page in the user's language with a status and a reference (or, for a
 * step's JSON action, which sets `res.locals.answersJson`, a JSON body with the code), never a
 * stack trace, a token or a redirect — in every NODE_ENV, because nothing reaches Express's own
 * handler (which shows stacks outside production).
 */
export function errorPage(options: ErrorPageOptions): ErrorRequestHandler {
  return (err, req, res, next) => {
    const error = toHookError(err, req.method, options);
    // For the metrics, which count refusals by code.
    res.locals.errorCode = error.code;
    if (error.level === 'error')
      req.log.error({ code: error.code, err: err instanceof HookError ? undefined : err }, 'request failed');
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
      res.json({ error: error.code, reference: requestReference(req) });
      return;
    }
    const { page, retryHref, continueHref } = wayOn(error, req, options);
    res.render(
      'message',
      { page, code: error.code, retryHref, continueHref },
      (renderError: Error | null, html?: string) => {
        if (renderError) {
          req.log.error({ err: renderError }, 'error page could not be rendered');
          res.type('html').send(FALLBACK_PAGE);
          return;
        }
        res.type('html').send(html);
      },
    );
  };
}

/**
 * Where the page sends the user on. Only ever to an interaction page of this session: never a
 * path taken from elsewhere. A page of a journey this session no longer holds (another tab
 * arrived since, and the arrival started the session afresh) offers the journey that replaced it.
 */
function wayOn(
  error: HookError,
  req: Request,
  options: ErrorPageOptions,
): { page: PageKeys; retryHref: string | null; continueHref: string | null } {
  const onInteraction = options.isInteractionPath(req.path);
  const stale = onInteraction && (error.code === 'csrf_invalid' || error.code === 'interaction_not_found');
  const interactions = (req.session as Partial<SessionData> | undefined)?.interactions ?? {};
  const id = req.path.slice('/interaction/'.length);
  if (!stale || Object.hasOwn(interactions, id))
    return { page: error.page, retryHref: error.page.retry && onInteraction ? req.path : null, continueHref: null };
  const newest = Object.values(interactions)
    .filter((i) => i.status === 'active')
    .sort((a, b) => b.createdAt - a.createdAt)[0];
  if (newest) return { page: PAGES.replacedByNewer, retryHref: null, continueHref: `/interaction/${newest.id}` };
  return {
    page: error.code === 'csrf_invalid' ? PAGES.formOfEndedJourney : error.page,
    retryHref: null,
    continueHref: null,
  };
}

function toHookError(err: unknown, method: string, options: ErrorPageOptions): HookError {
  if (err instanceof HookError) return err;
  // Fail closed while the storage is away: a page saying so, never a redirect.
  if (options.isUnavailable(err))
    return hookError('storage_unavailable', method === 'POST' ? 'storageUnavailable' : 'storageUnreachable');
  const { code, status, type } = (err ?? {}) as { code?: unknown; status?: unknown; type?: unknown };
  if (code === 'EBADCSRFTOKEN') return hookError('csrf_invalid');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return requestRefused(status, typeof type === 'string' ? type : undefined);
  }
  return hookError('internal_error');
}
