import { randomUUID } from 'node:crypto';
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
