import type { Express, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pathOnly, REDACTED_PATHS as LOGGER_PATHS, SAFE_SERIALIZERS } from '../ops/logger.js';
import { OPS_PATHS } from '../ops/ops-routes.js';
import { pooledRandom } from './pooled-random.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** This request's reference: on its log lines, in `X-Request-Id` and on its error page. */
    id: string;
    /** The log with this request's id, method and path on every line. */
    log: Logger;
  }
}

/**
 * The logger's own concrete paths, and whole objects that may never reach a log: request and
 * response headers (cookies, tokens) and a body a parser failed on (whatever the browser posted).
 * Concrete, not wildcards (`*.token`): wildcard paths made every request line several times dearer.
 */
const REDACTED_PATHS = [
  'req.headers',
  'res.headers',
  'err.body',
  'err.headers',
  ...LOGGER_PATHS.filter((path) => !path.startsWith('err.headers') && !path.startsWith('err.body')),
];

const OWN_LOG = Symbol('the request log');

/**
 * One JSON line per request, once its response is sent (or the browser has gone), with a request
 * id (also shown on error pages). Only the path is logged: query strings carry session tokens, and
 * headers carry cookies. The request's own logger, `req.log`, is made the first time a handler
 * logs: most requests log nothing but their line, and a child logger per request was the largest
 * cost of logging.
 */
export function requestLogging(app: Express, logger: Logger): RequestHandler {
  const requests = logger.child(
    {},
    { redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: SAFE_SERIALIZERS },
  );
  // On the app's request prototype, once (express gives every request of this app that prototype):
  // an accessor defined on each request object cost 3-7 % of a journey's CPU.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request & { [OWN_LOG]?: Logger }) {
      return (this[OWN_LOG] ??= requests.child({ req: this }));
    },
  });
  return (req, res, next) => {
    const id = requestId();
    const started = Date.now();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    let logged = false;
    const logLine = () => {
      if (logged) return;
      logged = true;
      const line = { req, res, responseTime: Date.now() - started };
      // A 5xx's cause is logged where it happened (the error page, the step); this is its line.
      const level = levelOf(req.originalUrl, res);
      requests[level](
        line,
        level === 'error'
          ? 'request errored'
          : res.writableEnded && !req.readableAborted
            ? 'request completed'
            : 'request aborted',
      );
    };
    res.once('finish', logLine);
    res.once('close', logLine);
    next();
  };
}

function levelOf(url: string, res: Response): 'error' | 'warn' | 'info' | 'debug' {
  if (res.statusCode >= 500) return 'error';
  if (res.statusCode >= 400) return 'warn';
  // Probes and scrapes come every few seconds; they would drown the journeys.
  return OPS_PATHS.has(pathOnly(url)) ? 'debug' : 'info';
}

/** Crockford's base32: no I, L, O or U, so a reference read out over the phone is not misheard. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * 60 random bits as `XXXX-XXXX-XXXX`: the reference a user quotes from an error page, short
 * enough to stay on one line of a 360 px screen, and the `req.id` of every log line of the request.
 */
function requestId(): string {
  const random = pooledRandom(12);
  let id = '';
  for (let i = 0; i < 12; i++) id += (i > 0 && i % 4 === 0 ? '-' : '') + ALPHABET.charAt((random[i] ?? 0) & 31);
  return id;
}

/** The request's id as pages and JSON errors quote it (requestId made it). */
export function requestReference(req: { id?: unknown }): string {
  return typeof req.id === 'string' ? req.id : '';
}
