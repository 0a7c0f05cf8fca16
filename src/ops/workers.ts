import cluster, { type Worker } from 'node:cluster';
import { ClusterMemoryStorePrimary } from '@express-rate-limit/cluster-memory-store';
import type { Logger } from 'pino';
import { aggregateWorkerMetrics } from './cluster-metrics.js';

/**
 * WORKERS > 1: this process serves nothing itself. It starts the workers — each a whole hook on
 * the same port (the primary hands out connections in turn) and the same storage — and stops them.
 *
 * They start one after another, each once the one before listens: only the first creates the
 * database schema, the session secret file in DATA_DIR and the configured terms; the others find
 * them there. What must hold across processes already does: SQLite (WAL, busy_timeout) and
 * PostgreSQL enforce single-use claims and one decision per step for every process alike, and
 * PostgreSQL or Redis count arrivals for every process. What lives in memory is kept here for all
 * of them: the arrival counts for ARRIVAL_RATE_LIMIT on SQLite, and the gathering of every
 * worker's metrics for a scrape, whichever worker it reaches.
 *
 * SIGTERM or SIGINT is passed on; each worker shuts down gracefully, and this process exits 0 once
 * all have exited cleanly. A worker that dies on its own stops the rest and exits 1, so the
 * supervisor restarts the whole hook rather than it running on at part strength unnoticed.
 */
export async function runWorkers(count: number, log: Logger): Promise<void> {
  // Set by the event handlers below; `as boolean` keeps the checks after an await from being read as constant.
  let stopping = false as boolean;
  let failed = false as boolean;
  const workers: Worker[] = [];
  new ClusterMemoryStorePrimary().init();
  aggregateWorkerMetrics(log);

  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of workers) if (!worker.isDead()) worker.process.kill(signal);
  };
  process.on('SIGTERM', () => stopAll('SIGTERM'));
  process.on('SIGINT', () => stopAll('SIGINT'));

  const allExited = new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      if (code !== 0) failed = true;
      if (!stopping) {
        log.error({ worker: worker.id, code, signal }, 'a worker stopped on its own; stopping the others');
        stopAll('SIGTERM');
      }
      if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
    });
  });

  for (let i = 0; i < count && !stopping; i++) {
    const worker = cluster.fork();
    workers.push(worker);
    const started = await new Promise<boolean>((resolve) => {
      worker.once('listening', () => resolve(true));
      worker.once('exit', () => resolve(false));
    });
    if (!started) break;
  }
  if (!stopping) log.info({ workers: count }, 'all workers listening');
  await allExited;
  process.exit(failed ? 1 : 0);
}
