import type { StepRecords } from '../step-ports.js';
import { CODE_RECORD, codeStateFrom, NO_CODE, RECORD_LIFETIME_SECONDS, type CodeState } from './code-record.js';

/**
 * A journey's code state, changed in one transaction at a time (`StepRecords.update`): of parallel
 * requests each sees what the one before it wrote, so two guesses never read the same count of
 * attempts and two sends never both find the resend interval passed.
 */
export class CodeStore {
  constructor(private readonly records: StepRecords) {}

  /** `change` gets the state as stored (no code yet: NO_CODE) and returns the state to keep and its answer. */
  change<T>(interactionId: string, now: Date, change: (state: CodeState) => { state: CodeState; result: T }): Promise<T> {
    return this.records.update(CODE_RECORD, interactionId, now, (value) => {
      const { state, result } = change(codeStateFrom(value) ?? NO_CODE);
      // The record outlives any interaction (INTERACTION_TIMEOUT_SECONDS is at most a day), so attempts never reset.
      return { value: state, expiresAt: new Date(now.getTime() + RECORD_LIFETIME_SECONDS * 1000), result };
    });
  }

  /** The state as it stands, for showing the page; changes nothing. */
  async peek(interactionId: string, now: Date): Promise<CodeState | null> {
    return codeStateFrom(await this.records.get(CODE_RECORD, interactionId, now));
  }
}
