import cluster from 'node:cluster';
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * The second line of defence: the request log already keeps only method, path and status, and the
 * code never logs tokens on purpose; should an object holding one reach a log line anyway (a
 * header bag, a library's error, the settings), the value is replaced. The paths are concrete,
 * not wildcards: wildcard paths made every log line some 20 times dearer.
 */
const SECRET_KEYS = [
  'session_token',
  'sessionToken',
  'token',
  'access_token',
  'accessToken',
  'id_token',
  'refresh_token',
  'secret',
  'hookSecret',
  'previousHookSecret',
  'sessionSecret',
  'client_secret',
  'clientSecret',
  'metricsToken',
  'password',
  '_csrf',
  'csrfToken',
  'INTERACTION_HOOK_SECRET',
  'INTERACTION_HOOK_PREVIOUS_SECRET',
  'SESSION_SECRET',
  'METRICS_TOKEN',
  'MATTR_CLIENT_SECRET',
];
const HEADER_KEYS = [
  'cookie',
  'set-cookie',
  'authorization',
  'proxy-authorization',
  'Cookie',
  'Set-Cookie',
  'Authorization',
];
/** Objects that are logged whole and may hold secrets by name. */
const SECRET_HOLDERS = ['settings', 'config', 'env', 'body', 'query', 'payload', 'err', 'error'];
/**
 * Not `req` and `res`: on every request line, and their serializers (web/request-logging.ts) keep
 * only method, path, id and status — checking them again cost as much as the rest of the line.
 */
const HEADER_BAGS = ['headers', 'err.headers', 'err.config.headers', 'err.request.headers', 'err.response.headers'];

const at = (parent: string, key: string) => {
  const segment = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  return parent === '' ? segment : segment.startsWith('[') ? `${parent}${segment}` : `${parent}.${segment}`;
};

export const REDACTED_PATHS: readonly string[] = [
  ...['', ...SECRET_HOLDERS].flatMap((parent) => SECRET_KEYS.map((key) => at(parent, key))),
  ...['', ...HEADER_BAGS].flatMap((parent) => HEADER_KEYS.map((key) => at(parent, key))),
];

export const REDACTED = '[redacted]';

/**
 * Whatever request or response is logged — by the request log or by hand — only these fields come out:
 * the query string carries session tokens, the headers carry cookies.
 */
export const SAFE_SERIALIZERS = {
  req: (req: { id?: unknown; method?: string; url?: string; originalUrl?: string }) => ({
    id: req.id,
    method: req.method,
    path: pathOnly(req.originalUrl ?? req.url),
  }),
  res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
};

export function pathOnly(url: string | undefined): string {
  if (!url) return '';
  const cut = url.search(/[?#]/);
  return cut === -1 ? url : url.slice(0, cut);
}

export interface LogOptions {
  level: string;
  /** Human-readable, coloured lines (pino-pretty): for a developer's terminal only. */
  pretty?: boolean;
}

const requireHere = createRequire(import.meta.url);

/** Structured JSON lines (one per event) with redaction; pretty lines only when asked for. */
export function createLogger(options: LogOptions, destination?: DestinationStream): Logger {
  const base: LoggerOptions = {
    level: options.level,
    // With WORKERS > 1, which process wrote the line.
    base: cluster.worker ? { service: 'interaction-hook', worker: cluster.worker.id } : { service: 'interaction-hook' },
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
    serializers: { ...SAFE_SERIALIZERS, err: pino.stdSerializers.err },
  };
  const pretty = options.pretty === true && !destination;
  if (pretty && prettyPrinterInstalled()) {
    // In this thread and synchronous, not a transport's worker: a developer's terminal shows the
    // lines in the order they were written, also among what the process prints itself (the demo).
    const prettyStream = requireHere('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pino(base, prettyStream({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
  }
  // Asynchronous writes: lines logged while a write is under way go out together in the next one,
  // instead of one blocking write per line. pino flushes what is left when the process exits.
  const logger = pino(base, destination ?? pino.destination({ dest: 1, sync: false }));
  if (pretty) logger.info('pino-pretty is not installed (a development dependency), so the log stays JSON');
  return logger;
}

/**
 * pino-pretty is a development dependency: a production install (`npm ci --omit=dev`) has none,
 * and pino would fail on the missing transport, so the logger asks first.
 */
export function prettyPrinterInstalled(resolve: (id: string) => string = requireHere.resolve): boolean {
  try {
    resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/** Pretty output only in development, and only when a person is watching the terminal. */
export function wantsPrettyLogs(nodeEnv: string, stdoutIsTerminal: boolean): boolean {
  return nodeEnv === 'development' && stdoutIsTerminal;
}
