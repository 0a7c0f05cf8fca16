import type { Decision } from './model.js';

/** How a journey ended, as the metrics count it. */
export type JourneyOutcome = 'completed' | 'declined' | 'failed' | 'expired';

/**
 * What the journey reports as it goes, for the metrics. An interface here so the journey does not
 * depend on a metrics library; `ops/metrics.ts` implements it.
 */
export interface JourneyMetrics {
  journeyStarted(): void;
  /** `seconds`: how long the user spent on the step before this decision. */
  stepDecided(step: string, decision: Decision, seconds: number): void;
  journeyEnded(outcome: JourneyOutcome): void;
}
