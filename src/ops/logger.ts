import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * The second line of defence: the request log already keeps only method, path and status, and the
 * code never logs tokens on purpose; should any object with one of these keys reach a log line
 * anyway (a header bag, a library's error, a settings object), the value is replaced. The first
 * segments of each path are the places such objects turn up: top level, one level down, headers.
 */
const SENSITIVE_KEYS = [
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
  'cookie',
  'Cookie',
  'authorization',
  'Authorization',
  'set-cookie',
  'Set-Cookie',
  '_csrf',
  'csrfToken',
  'INTERACTION_HOOK_SECRET',
  'INTERACTION_HOOK_PREVIOUS_SECRET',
  'SESSION_SECRET',
  'METRICS_TOKEN',
  'MATTR_CLIENT_SECRET',
];

export const REDACTED_PATHS: readonly string[] = SENSITIVE_KEYS.flatMap((key) => {
  const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
  const dot = k.startsWith('[') ? '' : '.';
  return [k, `*${dot}${k}`, `headers${dot}${k}`, `*.headers${dot}${k}`];
});

export const REDACTED = '[redacted]';

export interface LogOptions {
  level: string;
  /** Human-readable, coloured lines (pino-pretty in a worker): for a developer's terminal only. */
  pretty?: boolean;
}

/** Structured JSON lines (one per event) with redaction; pretty lines only when asked for. */
export function createLogger(options: LogOptions, destination?: DestinationStream): Logger {
  const base: LoggerOptions = {
    level: options.level,
    base: { service: 'interaction-hook' },
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
  };
  if (options.pretty && !destination) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } });
  }
  return destination ? pino(base, destination) : pino(base);
}

/** Pretty output only in development, and only when a person is watching the terminal. */
export function wantsPrettyLogs(nodeEnv: string, stdoutIsTerminal: boolean): boolean {
  return nodeEnv === 'development' && stdoutIsTerminal;
}
