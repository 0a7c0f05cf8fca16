import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

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
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, path: pathOnly(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
  });
}

export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}
