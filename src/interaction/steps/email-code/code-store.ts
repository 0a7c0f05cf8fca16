import type { StepRecords } from '../step-ports.js';
import { CODE_RECORD, codeStateFrom, NO_CODE, RECORD_LIFETIME_SECONDS, type CodeState } from './code-record.js';

/** Never taken, written after each change: tells "no code yet" from "another request holds it", and keeps the counts if the code record is lost. */
const JOURNAL_RECORD = 'email-code-journal';
/** When a request first found the code record missing, and the journal as it stood then. */
const MISSING_RECORD = 'email-code-missing';
/**
 * A record held longer than this, with nothing released meanwhile, was lost (the storage failed
 * between a take and its put): far longer than any request holds it.
 */
const LOST_AFTER_MS = 15_000;

interface Journal {
  attempts: number;
  sends: number;
  sentAt: number;
  touchedAt: number;
}

/**
 * A journey's code state, changed one request at a time: `hold` takes the record (of parallel
 * requests only one gets it, so two guesses can never read the same count of attempts) and
 * `release` puts the changed state back. A request that finds the record held is told to wait.
 */
export class CodeStore {
  constructor(private readonly records: StepRecords) {}

  /** The state, held until `release`; `busy` while another request holds it. */
  async hold(interactionId: string, now: Date): Promise<CodeState | 'busy'> {
    const held = codeStateFrom(await this.records.take(CODE_RECORD, interactionId, now));
    if (held) return held;
    const journal = journalFrom(await this.records.get(JOURNAL_RECORD, interactionId, now));
    if (!journal) {
      // Nothing yet to take: the first request to write the journal holds the state, and the
      // others wait for it as for any held record.
      const first: Journal = { attempts: NO_CODE.attempts, sends: NO_CODE.sends, sentAt: NO_CODE.sentAt, touchedAt: now.getTime() };
      return (await this.records.add(JOURNAL_RECORD, interactionId, first, this.expiry(now), now)) ? NO_CODE : 'busy';
    }
    const missing = missingFrom(await this.records.get(MISSING_RECORD, interactionId, now));
    if (missing?.touchedAt !== journal.touchedAt) {
      await this.records.put(MISSING_RECORD, interactionId, { since: now.getTime(), touchedAt: journal.touchedAt }, this.expiry(now));
      return 'busy';
    }
    if (now.getTime() - missing.since < LOST_AFTER_MS) return 'busy';
    // Lost: the code with it, never the counts.
    return { ...NO_CODE, attempts: journal.attempts, sends: journal.sends, sentAt: journal.sentAt };
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + RECORD_LIFETIME_SECONDS * 1000);
  }

  async release(interactionId: string, state: CodeState, now: Date): Promise<void> {
    const expiresAt = this.expiry(now);
    await this.records.put(CODE_RECORD, interactionId, state, expiresAt);
    const journal: Journal = { attempts: state.attempts, sends: state.sends, sentAt: state.sentAt, touchedAt: now.getTime() };
    await this.records.put(JOURNAL_RECORD, interactionId, journal, expiresAt);
  }

  /** The state as it stands, for showing the page; changes nothing. */
  async peek(interactionId: string, now: Date): Promise<CodeState | null> {
    return codeStateFrom(await this.records.get(CODE_RECORD, interactionId, now));
  }
}

function missingFrom(value: unknown): { since: number; touchedAt: number } | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  return typeof v.since === 'number' && typeof v.touchedAt === 'number' ? { since: v.since, touchedAt: v.touchedAt } : null;
}

function journalFrom(value: unknown): Journal | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  return [v.attempts, v.sends, v.sentAt, v.touchedAt].every((n) => typeof n === 'number') ? (value as Journal) : null;
}
