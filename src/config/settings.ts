import { z } from 'zod';
import { keepsUrlRules } from '../web/url-rules.js';
import { hookSecret, httpUrl, integer, serverUrl } from './env-values.js';
import { ledgerEnvironment, ledgerSettings } from './ledger-settings.js';
import type { LedgerSettings } from '../interaction/journey-settings.js';

/** Everything the process reads from its environment, validated once at start-up. */
export interface Settings {
  nodeEnv: 'production' | 'development' | 'test';
  /** The hook URL exactly as registered (the arriving token's `aud`), trailing slash removed. */
  hookUrl: string;
  /** The tenant URL (the arriving token's `iss`), trailing slash removed. */
  tenantUrl: string;
  /** Origins the user may be sent back to: the tenant's plus `MATTR_REDIRECT_ORIGINS`. */
  redirectOrigins: ReadonlySet<string>;
  /** Base64 hook secret; absent only when it is to be fetched from the tenant at start-up. */
  hookSecret: string | undefined;
  /** Accepted for arriving tokens during a rotation, until restart; never used to sign. */
  previousHookSecret: string | undefined;
  /**
   * How long a secret the tenant replaced is still accepted after this process learns of the change
   * (a live refresh, or its own registration rotating it): tokens signed just before must get in.
   */
  previousSecretGraceSeconds: number;
  sessionSecret: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  hookConfigPath: string | undefined;
  logLevel: string;
  trustProxy: boolean | number | string;
  clockToleranceSeconds: number;
  /** How long a user may take over the steps; matches the registered `sessionTimeoutInSec`. */
  interactionTimeoutSeconds: number;
  /** Arrivals per client IP per minute at the callback; 0 turns the limit off. */
  arrivalRateLimit: number;
  /** What the ledger records beyond the decision itself. */
  ledger: LedgerSettings;
  /** PostgreSQL for the ledger, claims and (without Redis) sessions; unset means SQLite in `dataDir`. May hold a password: never log it. */
  databaseUrl: string | undefined;
  /** Redis for the sessions; needs `databaseUrl`. May hold a password: never log it. */
  redisUrl: string | undefined;
  redisKeyPrefix: string;
  databasePoolSize: number;
  /** How long start-up keeps trying to reach PostgreSQL and Redis; 0 tries once. */
  storageWaitSeconds: number;
  /** When set, GET /metrics needs it as a bearer token. */
  metricsToken: string | undefined;
  /** How long shutdown waits for requests in flight before cutting them off. */
  shutdownTimeoutSeconds: number;
  /** Processes serving the port (node:cluster); 1 serves it from this process. */
  workers: number;
}

export type SettingsResult = { ok: true; settings: Settings; warnings: string[] } | { ok: false; errors: string[] };

export const settingsSchema = z.object({
  NODE_ENV: z
    .enum(['production', 'development', 'test'], { error: 'NODE_ENV must be production, development or test' })
    .default('development'),
  HOOK_URL: httpUrl('HOOK_URL'),
  MATTR_TENANT_URL: httpUrl('MATTR_TENANT_URL'),
  MATTR_REDIRECT_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const origins: string[] = [];
      for (const item of (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        if (!keepsUrlRules(item, { http: 'anywhere' })) {
          ctx.addIssue({ code: 'custom', message: `MATTR_REDIRECT_ORIGINS: "${item}" is not an http(s) origin` });
          continue;
        }
        origins.push(new URL(item).origin);
      }
      return origins;
    }),
  INTERACTION_HOOK_SECRET: hookSecret('INTERACTION_HOOK_SECRET'),
  INTERACTION_HOOK_PREVIOUS_SECRET: hookSecret('INTERACTION_HOOK_PREVIOUS_SECRET'),
  PREVIOUS_SECRET_GRACE_SECONDS: integer('PREVIOUS_SECRET_GRACE_SECONDS', 900, 0, 86_400),
  SESSION_SECRET: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || v.length >= 32, 'SESSION_SECRET must be at least 32 characters'),
  PORT: integer('PORT', 3000, 0, 65535),
  HOST: z.string().trim().default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1, 'DATA_DIR must not be empty').default('./data'),
  HOOK_CONFIG: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  TRUST_PROXY: z
    .string()
    .trim()
    .optional()
    .transform((v): boolean | number | string => {
      if (v === undefined || v === '' || v === 'false') return false;
      if (v === 'true') return true;
      return /^\d+$/.test(v) ? Number(v) : v;
    }),
  CLOCK_TOLERANCE_SECONDS: integer('CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
  INTERACTION_TIMEOUT_SECONDS: integer('INTERACTION_TIMEOUT_SECONDS', 1200, 30, 86400),
  ARRIVAL_RATE_LIMIT: integer('ARRIVAL_RATE_LIMIT', 120, 0, 1_000_000),
  ...ledgerEnvironment,
  DATABASE_URL: serverUrl(
    'DATABASE_URL',
    ['postgres:', 'postgresql:'],
    'postgres://user:password@db.example.com:5432/interaction_hook (leave it unset for the embedded SQLite file)',
  ),
  REDIS_URL: serverUrl('REDIS_URL', ['redis:', 'rediss:'], 'redis://redis.example.com:6379'),
  REDIS_KEY_PREFIX: z
    .string()
    .trim()
    .regex(/^[\x21-\x7e]{1,64}$/, 'REDIS_KEY_PREFIX must be 1 to 64 visible ASCII characters without spaces')
    .default('interaction-hook:sess:'),
  DATABASE_POOL_SIZE: integer('DATABASE_POOL_SIZE', 10, 1, 200),
  STORAGE_WAIT_SECONDS: integer('STORAGE_WAIT_SECONDS', 30, 0, 600),
  METRICS_TOKEN: z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => v === undefined || /^[\x21-\x7e]{16,}$/.test(v),
      'METRICS_TOKEN must be 16 or more printable characters without spaces',
    ),
  SHUTDOWN_TIMEOUT_SECONDS: integer('SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 300),
  WORKERS: integer('WORKERS', 1, 1, 64),
});

/**
 * Reads the environment into Settings. Every bad or missing variable gets its own message; the
 * caller prints them and exits — never a stack trace.
 */
export function loadSettings(env: NodeJS.ProcessEnv, options: { secretMayBeFetched?: boolean } = {}): SettingsResult {
  const parsed = settingsSchema.safeParse(env);
  // The rules between variables are checked on what is set, also when some value is bad: every
  // problem is named in one round.
  const set = (name: string) => (env[name]?.trim() ?? '') !== '';
  const errors: string[] = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  const warnings: string[] = [];
  if (!set('INTERACTION_HOOK_SECRET') && options.secretMayBeFetched !== true) {
    errors.push(
      'INTERACTION_HOOK_SECRET is required: the base64 secret the tenant returned when the hook was registered',
    );
  }
  if (env.NODE_ENV?.trim() === 'production' && !set('SESSION_SECRET')) {
    errors.push(
      'SESSION_SECRET is required when NODE_ENV=production (32 characters or more, the same on every replica)',
    );
  }
  if (set('REDIS_URL') && !set('DATABASE_URL')) {
    errors.push(
      'REDIS_URL needs DATABASE_URL: Redis holds only the sessions; the ledger and the used tokens must be in PostgreSQL for every replica to see them',
    );
  }
  if (!parsed.success || errors.length > 0) return { ok: false, errors: [...new Set(errors)] };
  const v = parsed.data;
  if (new URL(v.HOOK_URL).protocol === 'http:') {
    warnings.push(
      'HOOK_URL uses http://: fine for local use and tests, but session cookies are not Secure and a real tenant accepts only https',
    );
  }
  if (v.NODE_ENV === 'production' && v.METRICS_TOKEN === undefined) {
    warnings.push('METRICS_TOKEN is not set: GET /metrics answers anyone who can reach the hook');
  }
  if (new URL(v.MATTR_TENANT_URL).protocol === 'http:') {
    warnings.push('MATTR_TENANT_URL uses http://: only a local simulator runs like that');
  }
  return {
    ok: true,
    warnings,
    settings: {
      nodeEnv: v.NODE_ENV,
      hookUrl: v.HOOK_URL,
      tenantUrl: v.MATTR_TENANT_URL,
      redirectOrigins: new Set([new URL(v.MATTR_TENANT_URL).origin, ...v.MATTR_REDIRECT_ORIGINS]),
      hookSecret: v.INTERACTION_HOOK_SECRET,
      previousHookSecret: v.INTERACTION_HOOK_PREVIOUS_SECRET,
      previousSecretGraceSeconds: v.PREVIOUS_SECRET_GRACE_SECONDS,
      sessionSecret: v.SESSION_SECRET,
      port: v.PORT,
      host: v.HOST,
      dataDir: v.DATA_DIR,
      hookConfigPath: v.HOOK_CONFIG,
      logLevel: v.LOG_LEVEL,
      trustProxy: v.TRUST_PROXY,
      clockToleranceSeconds: v.CLOCK_TOLERANCE_SECONDS,
      interactionTimeoutSeconds: v.INTERACTION_TIMEOUT_SECONDS,
      arrivalRateLimit: v.ARRIVAL_RATE_LIMIT,
      ledger: ledgerSettings(v),
      databaseUrl: v.DATABASE_URL,
      redisUrl: v.REDIS_URL,
      redisKeyPrefix: v.REDIS_KEY_PREFIX,
      databasePoolSize: v.DATABASE_POOL_SIZE,
      storageWaitSeconds: v.STORAGE_WAIT_SECONDS,
      metricsToken: v.METRICS_TOKEN,
      shutdownTimeoutSeconds: v.SHUTDOWN_TIMEOUT_SECONDS,
      workers: v.WORKERS,
    },
  };
}

/** The sections of the settings, for the parts that need only one. */
export type HttpSettings = Pick<
  Settings,
  | 'hookUrl'
  | 'tenantUrl'
  | 'redirectOrigins'
  | 'port'
  | 'host'
  | 'trustProxy'
  | 'clockToleranceSeconds'
  | 'interactionTimeoutSeconds'
  | 'arrivalRateLimit'
>;
export type SecretSettings = Pick<
  Settings,
  'hookSecret' | 'previousHookSecret' | 'previousSecretGraceSeconds' | 'sessionSecret'
>;
/** Which engine holds the storage and where. */
export type StorageSettings = Pick<
  Settings,
  'dataDir' | 'databaseUrl' | 'redisUrl' | 'redisKeyPrefix' | 'databasePoolSize' | 'storageWaitSeconds'
>;
export type OpsSettings = Pick<
  Settings,
  'nodeEnv' | 'logLevel' | 'metricsToken' | 'shutdownTimeoutSeconds' | 'workers' | 'hookConfigPath'
>;

/** Where the storage lives, from the environment alone: for commands that need nothing else. */
export function loadStorageSettings(
  env: NodeJS.ProcessEnv,
): { ok: true; settings: StorageSettings } | { ok: false; errors: string[] } {
  const parsed = settingsSchema
    .pick({
      DATA_DIR: true,
      DATABASE_URL: true,
      REDIS_URL: true,
      REDIS_KEY_PREFIX: true,
      DATABASE_POOL_SIZE: true,
      STORAGE_WAIT_SECONDS: true,
    })
    .safeParse(env);
  if (!parsed.success)
    return { ok: false, errors: parsed.error.issues.map((issue: { message: string }) => issue.message) };
  const v = parsed.data;
  return {
    ok: true,
    settings: {
      dataDir: v.DATA_DIR,
      databaseUrl: v.DATABASE_URL,
      redisUrl: v.REDIS_URL,
      redisKeyPrefix: v.REDIS_KEY_PREFIX,
      databasePoolSize: v.DATABASE_POOL_SIZE,
      storageWaitSeconds: v.STORAGE_WAIT_SECONDS,
    },
  };
}

/** WORKERS alone, for the process that only starts the workers; 1 when unset or invalid (the hook then reports it). */
export function workerCount(env: NodeJS.ProcessEnv): number {
  const parsed = settingsSchema.pick({ WORKERS: true }).safeParse(env);
  return parsed.success ? parsed.data.WORKERS : 1;
}
