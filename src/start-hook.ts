import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ClusterMemoryStoreWorker } from '@express-rate-limit/cluster-memory-store';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from './config/hook-config.js';
import { localSessionSecret } from './config/session-secret.js';
import { loadManagementSettings } from './config/management-settings.js';
import { loadSettings, type Settings } from './config/settings.js';
import { buildSteps } from './interaction/steps/build-steps.js';
import { returnUrlProblem } from './interaction/return-url-budget.js';
import { publishConfiguredTerms } from './interaction/steps/published-terms.js';
import { HookKeys } from './mattr/hook-keys.js';
import { decodeHookSecret } from './mattr/hook-secret.js';
import { secretsAtStart } from './registration/on-start.js';
import { refreshConfigApi, secretRefresh } from './registration/secret-refresh.js';
import { clusterMetrics } from './ops/cluster-metrics.js';
import { gracefulClose } from './ops/graceful-close.js';
import { createLogger, wantsPrettyLogs } from './ops/logger.js';
import { HookMetrics } from './ops/metrics.js';
import { openStorage } from './storage/open-storage.js';
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

/** How often expired sessions and token claims are deleted. */
const PRUNE_EVERY_MS = 60_000;

export interface StartOptions {
  /** The clock of the journey, token checks and the secret's grace period (tests move it on). */
  now?: () => Date;
}

/** Settings → storage → app → listening server: everything `npm start` does. */
export async function startHook(env: NodeJS.ProcessEnv, logger?: Logger, options: StartOptions = {}): Promise<RunningHook> {
  const now = options.now ?? (() => new Date());
  const management = loadManagementSettings(env);
  const loaded = loadSettings(env, { secretMayBeFetched: !management.ok || management.settings !== null });
  if (!loaded.ok || !management.ok) throw new ConfigurationError([...(loaded.ok ? [] : loaded.errors), ...(management.ok ? [] : management.errors)]);
  const { settings } = loaded;
  const hookConfig = loadHookConfig(settings.hookConfigPath ?? DEFAULT_HOOK_CONFIG);
  if (!hookConfig.ok) throw new ConfigurationError(hookConfig.errors);
  const tooLong = await returnUrlProblem(buildSteps(hookConfig.config.steps), settings);
  if (tooLong) throw new ConfigurationError([`HOOK_CONFIG: ${tooLong}`]);

  const log = logger ?? createLogger({ level: settings.logLevel, pretty: wantsPrettyLogs(settings.nodeEnv, Boolean(process.stdout.isTTY)) });
  for (const warning of loaded.warnings) log.warn(warning);
  // A worker (WORKERS > 1) serves the metrics of all workers, kept together by the primary
  // (ops/workers.ts). Set up before the slow part of starting, so that a scrape another worker
  // serves meanwhile finds this one answering.
  const metrics = new HookMetrics();
  if (cluster.isWorker) metrics.gatherWith(clusterMetrics(metrics.registries));

  const secrets = await secretsAtStart({ settings, hookConfig: hookConfig.config, management: management.settings, logger: log });
  const current = decodeHookSecret(secrets.current);
  if (!current) throw new ConfigurationError(['the hook secret the tenant holds is not 32 bytes of base64']);
  const previous = secrets.previous ? (decodeHookSecret(secrets.previous) ?? undefined) : undefined;
  const keys = new HookKeys(current, previous && { key: previous, until: secrets.previousExpires ? new Date(now().getTime() + settings.previousSecretGraceSeconds * 1000) : undefined });
  // With management credentials a token that no held key verifies sends this process to the
  // tenant for its secret (at most once a minute); without them nobody is called.
  const refreshKeys = management.settings
    ? secretRefresh({
        api: refreshConfigApi(management.settings),
        keys,
        graceSeconds: settings.previousSecretGraceSeconds,
        secretFromEnvironment: settings.hookSecret !== undefined && secrets.current === settings.hookSecret,
        logger: log,
        metrics,
        now,
      })
    : undefined;

  const storage = await openStorage(settings, { onRetry: (message) => log.warn(message) });
  const changedTerms = await publishConfiguredTerms(storage, hookConfig.config).catch(async (error: unknown) => {
    await storage.close();
    throw error;
  });
  if (changedTerms.length > 0) {
    await storage.close();
    throw new ConfigurationError(changedTerms);
  }
  // Shared storage (PostgreSQL, Redis) counts the arrivals of every replica and worker alike; on
  // the embedded file, a worker's are counted with its siblings' in the primary's memory.
  const arrivalStore = storage.arrivalCounts?.() ?? (cluster.isWorker && settings.arrivalRateLimit > 0 ? new ClusterMemoryStoreWorker({ prefix: 'arrivals' }) : undefined);
  let draining = false;
  const app = createApp({
    settings,
    hookConfig: hookConfig.config,
    storage,
    logger: log,
    keys,
    refreshKeys,
    now,
    sessionSecret: settings.sessionSecret ?? localSessionSecret(settings.dataDir),
    draining: () => draining,
    metrics,
    arrivalStore,
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(settings.port, settings.host, () => resolve(s));
    s.once('error', reject);
  });
  answerClientErrors(server, log);
  const port = (server.address() as AddressInfo).port;
  const connections = gracefulClose(server);
  const pruning = setInterval(() => {
    storage.pruneExpired(new Date()).catch((err: unknown) => log.warn({ err }, 'pruning failed'));
  }, PRUNE_EVERY_MS);
  pruning.unref();
  log.info({ port, hookUrl: settings.hookUrl, storage: storage.engine, steps: hookConfig.config.steps.map((s) => s.id) }, 'interaction hook listening');

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
