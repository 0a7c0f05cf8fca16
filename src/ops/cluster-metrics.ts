import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * With WORKERS > 1 a scrape reaches one worker, but must show them all. The worker asks the
 * primary over the cluster's IPC channel; the primary gathers every worker's registries with
 * prom-client's AggregatorRegistry (which messages the workers itself, and gives up after its own
 * 5 s) and answers the worker that asked with the text, or with the reason it has none.
 */
const ASK = 'interaction-hook:cluster-metrics?';
const ANSWER = 'interaction-hook:cluster-metrics';

/** Longer than prom-client's 5 s in the primary, so that its reason is the one given. */
const WAIT_FOR_PRIMARY_MS = 8_000;

interface Ask {
  type: typeof ASK;
  id: number;
}

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** Primary side: answers every worker's request for the metrics of all workers. */
export function aggregateWorkerMetrics(log: Logger): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, message: unknown) => {
    if (!isMessage<Ask>(message, ASK)) return;
    aggregator.clusterMetrics().then(
      (text) => answer(worker, { type: ANSWER, id: message.id, text }, log),
      (err: unknown) => {
        log.warn({ err, worker: worker.id }, 'metrics could not be gathered from every worker');
        answer(worker, { type: ANSWER, id: message.id, error: err instanceof Error ? err.message : String(err) }, log);
      },
    );
  });
}

function answer(worker: Worker, message: Answer, log: Logger): void {
  if (!worker.isConnected()) return;
  worker.send(message, (err: Error | null) => {
    if (err) log.warn({ err, worker: worker.id }, 'could not send the gathered metrics to the worker');
  });
}

/**
 * Worker side: from now on the primary may read `registries` (prom-client answers it for this
 * process), and the returned function asks the primary for the metrics of every worker. It
 * rejects, rather than serve part of the figures, when the primary cannot gather them all or does
 * not answer in time.
 */
export function clusterMetrics(registries: Registry[], waitMs = WAIT_FOR_PRIMARY_MS): () => Promise<string> {
  AggregatorRegistry.setRegistries(registries);
  // Its constructor is what makes prom-client answer the primary's requests in this worker.
  new AggregatorRegistry();

  const pending = new Map<
    number,
    { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }
  >();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isMessage<Answer>(message, ANSWER)) return;
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (typeof message.text === 'string') waiting.resolve(message.text);
    else
      waiting.reject(
        new Error(`the primary could not gather the metrics of every worker: ${message.error ?? 'no reason given'}`),
      );
  });

  return () =>
    new Promise<string>((resolve, reject) => {
      if (!process.send || !process.connected) {
        reject(new Error('not connected to the primary process'));
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the primary did not answer within ${waitMs} ms`));
      }, waitMs);
      pending.set(id, { resolve, reject, timer });
      const ask: Ask = { type: ASK, id };
      process.send(ask, undefined, undefined, (err: Error | null) => {
        if (!err) return;
        pending.delete(id);
        clearTimeout(timer);
        reject(err);
      });
    });
}

function isMessage<T extends { type: string; id: number }>(message: unknown, type: T['type']): message is T {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === type &&
    typeof (message as { id?: unknown }).id === 'number'
  );
}
