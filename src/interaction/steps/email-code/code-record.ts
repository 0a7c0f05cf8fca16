import { z } from 'zod';
import type { StepRecords } from '../step-ports.js';
import { CodeRecords } from '../one-time-code.js';

/** Digits in an emailed code. */
export const CODE_DIGITS = 6;

/**
 * What is kept about a journey's code. Attempts count across every code of the journey: a new code
 * replaces the old one, never the count of wrong guesses.
 */
const codeState = z.object({
  /** HMAC-SHA256 (hex) of the code under the step's key; null when no code is live. */
  hash: z.string().nullable(),
  /** When the code stops working (epoch ms). */
  expiresAt: z.number(),
  /** When the last code was sent (epoch ms); 0 before the first. */
  sentAt: z.number(),
  /** Wrong codes entered in this journey. */
  attempts: z.number().int().nonnegative(),
  /** Codes sent in this journey. */
  sends: z.number().int().nonnegative(),
  /** The code was confirmed: the same code posted again (a double submit) goes on the same way. */
  verified: z.boolean(),
});

export type CodeState = z.output<typeof codeState>;

const NO_CODE: CodeState = { hash: null, expiresAt: 0, sentAt: 0, attempts: 0, sends: 0, verified: false };

/** A journey's code state, in the step records under its own kind, keyed by the interaction. */
export function codeRecords(records: StepRecords): CodeRecords<CodeState> {
  return new CodeRecords(records, 'email-code', codeState, NO_CODE);
}
