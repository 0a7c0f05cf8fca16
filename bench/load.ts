import { performance } from 'node:perf_hooks';
import { JourneyError } from './journeys.js';

export interface LoadPlan {
  concurrency: number;
  /** Stop after this many operations… */
  operations?: number;
  /** …or after this long, whichever is given. */
  durationMs?: number;
  /** Called about once a second with the operations completed so far. */
  onTick?: (completed: number) => void;
}

export interface LoadOutcome {
  completed: number;
  failed: number;
  /** Failures by kind, e.g. `{"decide: status 503": 2}`. */
  errors: Record<string, number>;
  elapsedMs: number;
}

/** Runs `operation` from `concurrency` concurrent loops until the plan's count or time is reached. */
export async function runLoad(operation: () => Promise<void>, plan: LoadPlan): Promise<LoadOutcome> {
  const started = performance.now();
  const outcome: LoadOutcome = { completed: 0, failed: 0, errors: {}, elapsedMs: 0 };
  let issued = 0;
  const more = () =>
    plan.operations !== undefined
      ? issued < plan.operations
      : performance.now() - started < (plan.durationMs ?? 10_000);
  const { onTick } = plan;
  const ticker = onTick ? setInterval(() => onTick(outcome.completed), 1000) : undefined;

  const loop = async () => {
    while (more()) {
      issued++;
      try {
        await operation();
        outcome.completed++;
      } catch (error) {
        outcome.failed++;
        const kind = error instanceof JourneyError ? error.message : `client: ${(error as Error).message}`;
        outcome.errors[kind] = (outcome.errors[kind] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.concurrency }, loop));
  if (ticker) clearInterval(ticker);
  outcome.elapsedMs = performance.now() - started;
  return outcome;
}
