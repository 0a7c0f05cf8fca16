import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { pathOnly, SAFE_SERIALIZERS } from '../ops/logger.js';
import { OPS_PATHS } from '../ops/ops-routes.js';

/** Names under which a secret may travel; censored wherever they appear in a logged object. */
const SECRET_KEYS = ['session_token', 'sessionToken', 'token', 'secret', 'hookSecret', 'previousHookSecret', 'sessionSecret', 'client_secret', 'clientSecret', 'password', 'cookie', 'authorization', '_csrf', 'csrfToken'];

/**
 * Paths pino censors. Request and response headers never reach a log (cookies, tokens), nor does
 * a body a parser failed on (it holds whatever the browser posted).
 */
export const REDACTED_PATHS = [
  'req.headers',
  'res.headers',
  'err.body',
  'err.headers',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

/**
 * One JSON line per request with a request id (also shown on error pages). Only the path is
 * logged: query strings carry session tokens, and headers carry cookies.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger: logger.child({}, { redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }),
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = randomUUID();
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
