import { performance } from 'node:perf_hooks';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { bearerMatches } from './bearer-token.js';
import type { HookMetrics } from './metrics.js';
import { checkReadiness, type ReadinessDeps } from './readiness.js';

/** Paths for probes and scrapers; their successful requests are logged at debug only. */
export const OPS_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

export interface OpsDeps extends ReadinessDeps {
  metrics: HookMetrics;
  /** When set, GET /metrics needs `Authorization: Bearer <this>`. */
  metricsToken: string | undefined;
  /** The path the tenant sends users to: refusals there count as rejected arrivals. */
  callbackPath: string;
}

/**
 * Health, readiness and metrics on the main port, plus the timing of every request. Mounted before
 * the session middleware: probes and scrapes never create sessions.
 */
export function opsRoutes(deps: OpsDeps): Router {
  const router = Router();
  router.use(measure(deps));

  router.get('/healthz', (_req, res) => {
    plain(res).json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const { ready, checks } = await checkReadiness(deps);
    plain(res)
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'not ready', checks });
  });

  router.get('/metrics', async (req, res) => {
    if (deps.metricsToken !== undefined && !bearerMatches(req.get('authorization'), deps.metricsToken)) {
      plain(res)
        .status(401)
        .set('WWW-Authenticate', 'Bearer realm="metrics"')
        .type('text/plain')
        .send('A valid bearer token is required.\n');
      return;
    }
    let text: string;
    try {
      text = await deps.metrics.render();
    } catch (err) {
      // With WORKERS > 1: some worker's figures are missing. Part of the counts would look like a
      // reset to Prometheus, so none are served; the scrape fails and the next one tries again.
      req.log.warn({ err }, 'metrics unavailable');
      plain(res).status(503).type('text/plain').send('The metrics of every worker could not be gathered; try again.\n');
      return;
    }
    plain(res).type(deps.metrics.contentType).send(text);
  });

  return router;
}

/** Times each request by route, and counts refused arrivals by the code on their error page. */
function measure({ metrics, callbackPath }: OpsDeps): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.once('finish', () => {
      metrics.httpRequest(req.method, routeOf(req), res.statusCode, (performance.now() - started) / 1000);
      const code: unknown = res.locals.errorCode;
      if (typeof code === 'string' && req.originalUrl.split('?', 1)[0] === callbackPath) metrics.arrivalRejected(code);
    });
    next();
  };
}

/** A route label from a fixed set, never a raw path (which would make one series per interaction id). */
function routeOf(req: Request): string {
  const route = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof route === 'string') return route;
  return req.originalUrl.startsWith('/static/') ? '/static' : 'unmatched';
}

function plain(res: Response): Response {
  return res.set({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
}
