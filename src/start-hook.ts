import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import type { Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { createApp, hookServices } from './app.js';
import { loadConfiguration, type Configuration } from './config/load-configuration.js';
import { localSessionSecret } from './config/session-secret.js';
import type { HttpSettings, OpsSettings, SecretSettings, Settings, StorageSettings } from './config/settings.js';
import { returnUrlProblem } from './interaction/return-url-budget.js';
import { prepareSteps, whenClaimsNotAsked } from './interaction/steps/configured-step.js';
import { HookKeys } from './mattr/hook-keys.js';
import { decodeHookSecret } from './mattr/hook-secret.js';
import { clusterMetrics } from './ops/cluster-metrics.js';
import { gracefulClose } from './ops/graceful-close.js';
import { listenOn } from './ops/listen.js';
import { createLogger, wantsPrettyLogs } from './ops/logger.js';
import { HookMetrics } from './ops/metrics.js';
import { secretsAtStart } from './registration/on-start.js';
import { refreshConfigApi, secretRefresh } from './registration/secret-refresh.js';
import { openStorage } from './storage/open-storage.js';
import type { Storage } from './storage/ports.js';
import { answerClientErrors } from './web/client-error.js';

/** The configuration is unusable; `problems` are plain sentences, one per bad or missing item. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigurationError';
  }
}

export interface RunningHook {
  settings: Settings;
  server: Server;
  /** The port actually bound (useful with PORT=0). */
  port: number;
  logger: Logger;
  close(): Promise<void>;
}

/** How often expired sessions, token claims and step records are deleted. */
const PRUNE_EVERY_MS = 60_000;

export interface StartOptions {
  /** The clock of the journey, token checks and the secret's grace period (tests move it on). */
  now?: () => Date;
}

/** Everything `npm start` does: configuration → logger → secrets → storage → steps → app → listening. */
export async function startHook(
  env: NodeJS.ProcessEnv,
  logger?: Logger,
  options: StartOptions = {},
): Promise<RunningHook> {
  const now = options.now ?? (() => new Date());
  const configuration = configure(env);
  const { settings } = configuration;
  const log = logger ?? startLogger(settings);
  for (const warning of configuration.warnings) log.warn(warning);
  const metrics = workerMetrics();
  const { keys, refreshKeys } = await hookKeys(configuration, log, metrics, now);
  const storage = await openStorage(settings, { onRetry: (message) => log.warn(message) });
  const sessionSecret = sessionSecretOf(settings);
  await prepare(configuration, storage, log, sessionSecret);
  let draining = false;
  const app = createApp({
    settings,
    hookConfig: configuration.hookConfig,
    storage,
    logger: log,
    keys,
    refreshKeys,
    now,
    sessionSecret,
    draining: () => draining,
    metrics,
    arrivalStore: arrivalCounts(storage, settings),
  });
  const { server, port } = await listen(app, settings, log);
  const connections = gracefulClose(server);
  const pruning = housekeeping(storage, log);
  log.info(
    {
      port,
      hookUrl: settings.hookUrl,
      storage: storage.engine,
      steps: configuration.hookConfig.steps.map((s) => s.id),
    },
    'interaction hook listening',
  );

  return {
    settings,
    server,
    port,
    logger: log,
    /** Stop accepting, let requests in flight finish (within SHUTDOWN_TIMEOUT_SECONDS), close storage. */
    async close() {
      draining = true;
      clearInterval(pruning);
      const { cutOff } = await connections.close(settings.shutdownTimeoutSeconds * 1000);
      if (cutOff > 0) log.warn({ cutOff }, 'requests still in flight at the shutdown deadline were cut off');
      await storage.close();
      log.info('interaction hook stopped');
    },
  };
}

/** Every problem of the environment and the steps file, in one message. */
function configure(env: NodeJS.ProcessEnv): Configuration {
  const loaded = loadConfiguration(env);
  if (!loaded.ok) throw new ConfigurationError(loaded.problems);
  return loaded.configuration;
}

/**
 * A worker (WORKERS > 1) serves the metrics of all workers, kept together by the primary
 * (ops/workers.ts). Set up before the slow part of starting, so that a scrape another worker
 * serves meanwhile finds this one answering.
 */
function workerMetrics(): HookMetrics {
  const metrics = new HookMetrics();
  if (cluster.isWorker) metrics.gatherWith(clusterMetrics(metrics.registries));
  return metrics;
}

/** The hook secret's keys, registering or fetching first when management credentials say so. */
async function hookKeys(
  configuration: Configuration,
  log: Logger,
  metrics: HookMetrics,
  now: () => Date,
): Promise<{ keys: HookKeys; refreshKeys?: () => Promise<unknown> }> {
  const { settings, management } = configuration;
  const secrets = await secretsAtStart({ settings, hookConfig: configuration.hookConfig, management, logger: log });
  // A `when` on a claim the tenant never sends would decide every journey's plan on nothing.
  const unasked =
    secrets.registeredClaims === undefined
      ? []
      : whenClaimsNotAsked(configuration.hookConfig.steps, secrets.registeredClaims);
  if (unasked.length > 0)
    throw new ConfigurationError(
      unasked.map(
        (problem) => `HOOK_CONFIG: ${problem}; run "interaction-hook register" (or HOOK_REGISTER_ON_START=true)`,
      ),
    );
  const current = decodeHookSecret(secrets.current);
  if (!current) throw new ConfigurationError(['the hook secret the tenant holds is not 32 bytes of base64']);
  const previous = secrets.previous ? (decodeHookSecret(secrets.previous) ?? undefined) : undefined;
  const keys = new HookKeys(
    current,
    previous && {
      key: previous,
      until: secrets.previousExpires
        ? new Date(now().getTime() + settings.previousSecretGraceSeconds * 1000)
        : undefined,
    },
  );
  if (!management) return { keys };
  // With management credentials a token that no held key verifies sends this process to the
  // tenant for its secret (at most once a minute); without them nobody is called.
  const refreshKeys = secretRefresh({
    api: refreshConfigApi(management),
    keys,
    graceSeconds: settings.previousSecretGraceSeconds,
    secretFromEnvironment: settings.hookSecret !== undefined && secrets.current === settings.hookSecret,
    logger: log,
    metrics,
    now,
  });
  return { keys, refreshKeys };
}

/** The steps' start-up work (terms published, providers discovered) and the URL budget; the storage is closed on any problem. */
async function prepare(
  configuration: Configuration,
  storage: Storage,
  log: Logger,
  sessionSecret: string,
): Promise<void> {
  const services = hookServices({ ...configuration, logger: log, sessionSecret }, storage);
  try {
    const steps = configuration.hookConfig.steps.map((step) => step.build(services));
    const tooLong = await returnUrlProblem(steps, configuration.settings);
    const problems = [
      ...(tooLong ? [`HOOK_CONFIG: ${tooLong}`] : []),
      ...(await prepareSteps(configuration.hookConfig.steps, services)),
    ];
    if (problems.length > 0) throw new ConfigurationError(problems);
  } catch (error) {
    await storage.close();
    throw error;
  }
}

/**
 * Shared storage (PostgreSQL, Redis) counts the arrivals of every replica and worker alike; on
 * the embedded file, a worker's are counted with its siblings' in the primary's memory.
 */
function arrivalCounts(storage: Storage, settings: Settings): Store | undefined {
  return (
    storage.arrivalCounts?.() ??
    (cluster.isWorker && settings.arrivalRateLimit > 0
      ? new ClusterMemoryStoreWorker({ prefix: 'arrivals' })
      : undefined)
  );
}

/** JSON lines, or readable lines in a development terminal. */
function startLogger(ops: OpsSettings): Logger {
  return createLogger({ level: ops.logLevel, pretty: wantsPrettyLogs(ops.nodeEnv, process.stdout.isTTY) });
}

/** SESSION_SECRET, or on one machine the one kept in DATA_DIR. */
function sessionSecretOf(settings: SecretSettings & Pick<StorageSettings, 'dataDir'>): string {
  return settings.sessionSecret ?? localSessionSecret(settings.dataDir);
}

async function listen(
  app: ReturnType<typeof createApp>,
  settings: HttpSettings,
  log: Logger,
): Promise<{ server: Server; port: number }> {
  const listening = await listenOn(app, settings.port, settings.host);
  answerClientErrors(listening.server, log);
  return listening;
}

/** Deletes what has expired, every minute, without holding the process open. */
function housekeeping(storage: Storage, log: Logger): NodeJS.Timeout {
  const pruning = setInterval(() => {
    storage.pruneExpired(new Date()).catch((err: unknown) => log.warn({ err }, 'pruning failed'));
  }, PRUNE_EVERY_MS);
  pruning.unref();
  return pruning;
}
