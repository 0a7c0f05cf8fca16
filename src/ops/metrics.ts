import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { JourneyMetrics, JourneyOutcome } from '../interaction/journey-metrics.js';
import type { SecretRefreshMetrics, SecretRefreshOutcome } from '../registration/secret-refresh.js';
import type { Decision } from '../interaction/model.js';

let processRegistry: Registry | undefined;

/** CPU, memory, event loop and GC figures exist once per process, however many apps it builds. */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

const OUTCOMES: readonly JourneyOutcome[] = ['completed', 'declined', 'failed', 'expired'];
const REFRESH_OUTCOMES: readonly SecretRefreshOutcome[] = ['changed', 'unchanged', 'failed'];

/**
 * The hook's Prometheus metrics, in a registry of their own per app (tests build many apps in one
 * process), served together with the process-wide default metrics.
 */
export class HookMetrics implements JourneyMetrics, SecretRefreshMetrics {
  readonly registry = new Registry();
  private gather: () => Promise<string> = () => this.renderOwn();
  private readonly started = new Counter({
    name: 'hook_journeys_started_total',
    help: 'Journeys started by a verified arrival.',
    registers: [this.registry],
  });
  private readonly ended = new Counter({
    name: 'hook_journeys_ended_total',
    help: "Journeys ended, by outcome: completed (sent back with a success token), declined, failed (a step's check not passed), or expired.",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'hook_arrivals_rejected_total',
    help: 'Arrivals at the callback refused, by reason code (the code on the error page and in the log).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly secretRefreshes = new Counter({
    name: 'hook_secret_refreshes_total',
    help: "Fetches of the tenant's hook secret after a token matched no key held, by outcome: changed, unchanged, or failed.",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly stepSeconds = new Histogram({
    name: 'hook_step_duration_seconds',
    help: 'Time users spent on a step before deciding, by step and decision.',
    labelNames: ['step', 'decision'] as const,
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200],
    registers: [this.registry],
  });
  private readonly storageSeconds = new Histogram({
    name: 'hook_storage_operation_duration_seconds',
    help: 'Latency of storage operations as the hook waits for them (durable writes include their commit).',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly httpSeconds = new Histogram({
    name: 'hook_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor() {
    // Every outcome shows from the start, at 0, so rates and alerts need no special case.
    for (const outcome of OUTCOMES) this.ended.labels(outcome).inc(0);
    for (const outcome of REFRESH_OUTCOMES) this.secretRefreshes.labels(outcome).inc(0);
  }

  journeyStarted(): void {
    this.started.inc();
  }

  stepDecided(step: string, decision: Decision, seconds: number): void {
    this.stepSeconds.labels(step, decision).observe(Math.max(0, seconds));
  }

  journeyEnded(outcome: JourneyOutcome): void {
    this.ended.labels(outcome).inc();
  }

  arrivalRejected(reason: string): void {
    this.rejected.labels(reason).inc();
  }

  secretRefreshed(outcome: SecretRefreshOutcome): void {
    this.secretRefreshes.labels(outcome).inc();
  }

  storageOperation(operation: string, seconds: number): void {
    this.storageSeconds.labels(operation).observe(seconds);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpSeconds.labels(method, route, String(status)).observe(seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** What this process contributes when the metrics of several processes are gathered. */
  get registries(): Registry[] {
    return [this.registry, processMetrics()];
  }

  /**
   * Serve what `gather` returns instead of this process's own figures: with WORKERS > 1, those of
   * every worker (see cluster-metrics.ts). A rejection means no figures, never part of them.
   */
  gatherWith(gather: () => Promise<string>): this {
    this.gather = gather;
    return this;
  }

  /** The exposition text: this app's metrics, then the process's (or, in a cluster, everyone's). */
  render(): Promise<string> {
    return this.gather();
  }

  private async renderOwn(): Promise<string> {
    const [own, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }
}
