import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import type { Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { HookConfig } from './config/hook-config.js';
import type { Settings } from './config/settings.js';
import { arrivalRoutes } from './interaction/arrival-routes.js';
import { isInteractionPath } from './interaction/interaction.js';
import { journeyRunner } from './interaction/journey-runner.js';
import type { HookServices } from './interaction/steps/configured-step.js';
import { stepRoutes } from './interaction/step-routes.js';
import { publicEndpointRoutes } from './interaction/public-endpoint-routes.js';
import { isStorageUnavailable } from './storage/storage-unavailable.js';
import { withMessages } from './web/i18n.js';
import type { HookKeys } from './mattr/hook-keys.js';
import { callbackPath, isHttps } from './mattr/hook-url.js';
import { HookMetrics } from './ops/metrics.js';
import { opsRoutes } from './ops/ops-routes.js';
import { timedStorage } from './ops/timed-storage.js';
import type { Storage } from './storage/ports.js';
import { branding } from './web/branding.js';
import { errorPage, notFound } from './web/error-pages.js';
import { pageLocals } from './web/page-locals.js';
import { requestLogging } from './web/request-logging.js';
import { urlLengthLimit } from './web/request-limits.js';
import { securityHeaders } from './web/security-headers.js';
import { sessions } from './web/sessions.js';
import { vendorScripts } from './web/vendor-scripts.js';

export interface AppDeps {
  settings: Settings;
  hookConfig: HookConfig;
  storage: Storage;
  logger: Logger;
  /** The hook secret's keys, in a holder the routes read on every request (a live refresh replaces them). */
  keys: HookKeys;
  /** With management credentials: fetches the tenant's secret again when no held key verifies a token. */
  refreshKeys?: () => Promise<unknown>;
  /** The session cookie's signing secret (SESSION_SECRET, or the one kept in DATA_DIR). */
  sessionSecret: string;
  now?: () => Date;
  /** Defaults to a fresh registry per app. */
  metrics?: HookMetrics;
  /**
   * Where arrivals are counted for ARRIVAL_RATE_LIMIT: by default the storage's count shared by
   * every replica, or on the embedded file this process's memory.
   */
  arrivalStore?: Store;
  /** True once shutdown began (readiness then answers 503). */
  draining?: () => boolean;
}

const VIEWS_DIR = fileURLToPath(new URL('../views', import.meta.url));
const PUBLIC_DIR = fileURLToPath(new URL('../public', import.meta.url));

/** Builds the hook's web app from its dependencies; reads no environment and opens nothing. */
export function createApp(deps: AppDeps): Express {
  const { settings, hookConfig, logger } = deps;
  const metrics = deps.metrics ?? new HookMetrics();
  const storage = timedStorage(deps.storage, (operation, seconds) => metrics.storageOperation(operation, seconds));
  const https = isHttps(settings.hookUrl);
  const app = express();
  app.disable('x-powered-by');
  // Every page and answer is no-store, so an ETag (a SHA-1 of each body) would never be used.
  app.set('etag', false);
  app.set('trust proxy', settings.trustProxy);
  app.set('views', VIEWS_DIR);
  app.set('view engine', 'ejs');
  app.set('view cache', true);
  // Templates include partials by absolute path from the views folder: ejs looks a relative
  // include up on disk (existsSync) on every render, even with the view cache. In production the
  // compiled templates leave out the line bookkeeping that only a template error's message uses.
  app.set('view options', { root: VIEWS_DIR, compileDebug: settings.nodeEnv !== 'production' });

  const now = deps.now ?? (() => new Date());
  const services = hookServices(deps, storage);
  const steps = hookConfig.steps.map((step) => step.build(services));
  app.use(requestLogging(app, logger));
  app.use(
    opsRoutes({
      metrics,
      storage,
      metricsToken: settings.metricsToken,
      callbackPath: callbackPath(settings.hookUrl),
      steps: hookConfig.steps.length,
      hasSecret: Boolean(deps.keys.current),
      draining: deps.draining ?? (() => false),
      stepChecks: steps.flatMap((step) => (step.readiness ? [step.readiness.bind(step)] : [])),
    }),
  );
  app.use(
    securityHeaders({
      redirectOrigins: settings.redirectOrigins,
      https,
      formTargets: steps.flatMap((step) => step.sendsTo ?? []),
    }),
  );
  const brand = branding(hookConfig.issuer);
  const catalogues = withMessages(...new Set(hookConfig.steps.map((step) => step.messages)));
  app.use(pageLocals(hookConfig.issuer, { brand: brand.assets, secure: https, catalogues }));
  app.use(urlLengthLimit);
  // Static files, the vendored browser libraries among them: nothing else is matched against them.
  app.use(
    '/static',
    vendorScripts(),
    express.static(PUBLIC_DIR, { index: false, redirect: false, maxAge: '1h', fallthrough: true }),
  );
  app.use(brand.router);
  // A wallet's requests carry no cookie: they are answered before the sessions are loaded. Only
  // mounted when a step has such endpoints: a terms-only journey passes one router less.
  if (steps.some((step) => step.publicEndpoints)) app.use(publicEndpointRoutes({ steps, logger, now }));
  app.use(
    sessions({
      store: storage.sessions,
      secret: deps.sessionSecret,
      secure: https,
      // The interaction's own deadline is the real limit; the cookie outlives it a little.
      maxAgeMs: (settings.interactionTimeoutSeconds + 600) * 1000,
    }),
  );
  const verifying = new Set(hookConfig.steps.filter((step) => step.verifiesPerson).map((step) => step.id));
  const conditions = new Map(hookConfig.steps.flatMap((step) => (step.when ? [[step.id, step.when] as const] : [])));
  const runner = journeyRunner({
    settings,
    steps,
    verifying,
    conditions,
    storage,
    keys: deps.keys,
    now,
    logger,
    metrics,
  });
  // One router for the journey's routes: each router a request passes through has a cost of its own.
  const journey = arrivalRoutes({
    settings,
    keys: deps.keys,
    refreshKeys: deps.refreshKeys,
    runner,
    storage,
    now,
    logger,
    metrics,
    arrivalStore: deps.arrivalStore ?? deps.storage.arrivalCounts?.(),
  });
  app.use(stepRoutes({ runner }, journey));
  app.use(notFound);
  app.use(errorPage({ isUnavailable: isStorageUnavailable, isInteractionPath }));
  return app;
}

/** What the hook can give its steps: ports and plain values, never an engine or the request. */
export function hookServices(
  deps: Pick<AppDeps, 'settings' | 'hookConfig' | 'logger' | 'sessionSecret'>,
  storage: Storage,
): HookServices {
  return {
    records: storage.stepRecords,
    terms: storage.terms,
    subjectRecords: storage.subjectRecords,
    logger: deps.logger,
    hookUrl: deps.settings.hookUrl,
    issuerName: deps.hookConfig.issuer.name,
    sessionSecret: deps.sessionSecret,
  };
}
