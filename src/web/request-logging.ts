import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { pathOnly, SAFE_SERIALIZERS } from '../ops/logger.js';
import { OPS_PATHS } from '../ops/ops-routes.js';

/**
 * One JSON line per request with a request id (also shown on error pages). Only the path is
 * logged: query strings carry session tokens, and headers carry cookies.
 */
export function requestLogging(logger: Logger) {
  return pinoHttp({
    logger,
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
