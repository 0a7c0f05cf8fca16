import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { pathOnly, REDACTED_PATHS as LOGGER_PATHS, SAFE_SERIALIZERS } from '../ops/logger.js';
import { OPS_PATHS } from '../ops/ops-routes.js';

/**
 * The logger's own concrete paths, and whole objects that may never reach a log: request and
 * response headers (cookies, tokens) and a body a parser failed on (whatever the browser posted).
 * Concrete, not wildcards (`*.token`): pino-http builds a child logger on every request, and
 * wildcard paths made that and every request line several times dearer.
 */
const REDACTED_PATHS = ['req.headers', 'res.headers', 'err.body', 'err.headers', ...LOGGER_PATHS.filter((path) => !path.startsWith('err.headers') && !path.startsWith('err.body'))];

/**
 * One JSON line per request with a request id (also shown on error pages). Only the path is
 * logged: query strings carry session tokens, and headers carry cookies.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger: logger.child({}, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }),
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = requestId();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: SAFE_SERIALIZERS,
    customLogLevel: (req, res, err) => {
      if (err || res.statusCode >= 500) return 'error';
      if (res.statusCode >= 400) return 'warn';
      // Probes and scrapes come every few seconds; they would drown the journeys.
      return OPS_PATHS.has(pathOnly(req.url)) ? 'debug' : 'info';
    },
  });
}

/** Crockford's base32: no I, L, O or U, so a reference read out over the phone is not misheard. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * 60 random bits as `XXXX-XXXX-XXXX`: the reference a user quotes from an error page, short
 * enough to stay on one line of a 360 px screen, and the `req.id` of every log line of the request.
 */
function requestId(): string {
  const at = drawRandom(12);
  let id = '';
  for (let i = 0; i < 12; i++) id += (i > 0 && i % 4 === 0 ? '-' : '') + ALPHABET.charAt((pool[at + i] ?? 0) & 31);
  return id;
}

/**
 * Random bytes for the ids, drawn from the system 4 KiB at a time (as randomUUID does for its
 * own): a call per request was a measurable share of a journey's CPU. Returns where in `pool`
 * the caller's bytes start.
 */
let pool = Buffer.alloc(0);
let used = 0;
function drawRandom(count: number): number {
  if (used + count > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += count;
  return used - count;
}

/** The request's id as pages and JSON errors quote it (requestId made it; pino-http keeps it as `req.id`). */
export function requestReference(req: { id?: unknown }): string {
  return typeof req.id === 'string' ? req.id : '';
}
