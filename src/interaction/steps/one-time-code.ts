import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import type { StepRecords } from './step-ports.js';

/**
 * The rules every step that asks for a one-time code keeps (an emailed code, a code from an
 * authenticator app or one of its recovery codes): how a typed code is read, how a code is kept
 * (a keyed hash, compared in constant time), how wrong codes are counted, when a code runs out and
 * when a new one may go. A step keeps its code's state in its step records through `CodeRecords`,
 * each change one atomic update, so parallel guesses are counted one at a time.
 */

/** The records outlive any interaction (INTERACTION_TIMEOUT_SECONDS is at most a day), so attempts never reset. */
const RECORD_LIFETIME_MS = 2 * 86_400_000;

/** Longer than anything a person types as a code: the rest is not read. */
const MAX_TYPED_LENGTH = 40;

/** `digits` digits, every value equally likely. */
export function newDigitCode(digits: number): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}

/** What the person typed, as phones paste and people type it: full-width characters, spaces and dashes allowed; null when it is too long to be a code. */
export function typedCode(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_TYPED_LENGTH) return null;
  return value.normalize('NFKC').replace(/[\s-]/g, '');
}

/** A typed code of exactly `digits` ASCII digits; null when it is not one. */
export function typedDigits(value: unknown, digits: number): string | null {
  const code = typedCode(value);
  return code !== null && code.length === digits && /^[0-9]+$/.test(code) ? code : null;
}

/**
 * A code is kept only as this keyed hash (HMAC-SHA256, hex), bound to what it belongs to (an
 * interaction, an enrolment): the same code elsewhere has another hash.
 */
export function codeHash(key: Buffer, boundTo: string, code: string): string {
  return createHmac('sha256', key).update(`${boundTo}\0${code}`).digest('hex');
}

/** Compared in constant time: how much of a guess was right never shows in the answer's timing. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `attempts` wrong codes leave no try of `maxAttempts`. */
export function noTriesLeft(attempts: number, maxAttempts: number): boolean {
  return attempts >= maxAttempts;
}

/** One more attempt counted: the attempts now, and the tries left (0: that was the last one, the journey fails). */
export function countAttempt(attempts: number, maxAttempts: number): { attempts: number; left: number } {
  const now = attempts + 1;
  return { attempts: now, left: Math.max(0, maxAttempts - now) };
}

/** Whether a code that stops working at `expiresAt` (epoch ms) has run out. */
export function hasExpired(expiresAt: number, now: Date): boolean {
  return now.getTime() >= expiresAt;
}

/** How long (ms) until a new code may go, the last having gone at `sentAt` (epoch ms; 0 before the first); 0 when it may now. */
export function resendWait(sentAt: number, intervalSeconds: number, now: Date): number {
  return Math.max(0, sentAt + intervalSeconds * 1000 - now.getTime());
}

/**
 * A code's state for one interaction in the step records under `kind`, read back through `schema`
 * (anything else counts as no record) and changed in one transaction at a time
 * (`StepRecords.update`): of parallel requests each sees what the one before it wrote, so two
 * guesses never read the same count of attempts and two sends never both find the interval passed.
 */
export class CodeRecords<State> {
  constructor(
    private readonly records: StepRecords,
    private readonly kind: string,
    private readonly schema: z.ZodType<State>,
    private readonly empty: State,
  ) {}

  /** `change` gets the state as stored (none yet: the empty state) and returns the state to keep and its answer. */
  change<T>(key: string, now: Date, change: (state: State) => { state: State; result: T }): Promise<T> {
    return this.records.update(this.kind, key, now, (value) => {
      const { state, result } = change(this.read(value) ?? this.empty);
      return { value: state, expiresAt: new Date(now.getTime() + RECORD_LIFETIME_MS), result };
    });
  }

  /** The state as it stands, for showing a page; changes nothing. */
  async peek(key: string, now: Date): Promise<State | null> {
    return this.read(await this.records.get(this.kind, key, now));
  }

  private read(value: unknown): State | null {
    const parsed = this.schema.safeParse(value);
    return parsed.success ? parsed.data : null;
  }
}
