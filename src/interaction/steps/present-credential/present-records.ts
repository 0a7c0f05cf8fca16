import { z } from 'zod';
import { REJECTION_REASONS } from './rejection.js';

/** Step record kinds; each keyed by the try's transaction id unless said otherwise. */
export const RECORDS = {
  /** The try itself: what binds the wallet's answer and the browser's return to it. */
  try: 'present-try',
  /** Keyed by interaction id: the try its page shows. */
  current: 'present-current',
  /** Added once: the request object is handed out a single time. */
  requestUsed: 'present-request',
  /** Added once: a try takes a single answer. */
  answered: 'present-answered',
  /** What the wallet's answer came to, until the browser takes it. */
  result: 'present-result',
} as const;

/** The try, as stored: read back through this, anything else counts as no try. */
const tryRecord = z.object({
  interactionId: z.string(),
  transactionId: z.string(),
  nonce: z.string(),
  state: z.string(),
  /** The value the browser returns with; its digest is in that browser's session only. */
  responseCode: z.string(),
  expiresAt: z.number(),
});

export type TryRecord = z.output<typeof tryRecord>;

const evidence = z.record(z.string(), z.unknown());

/**
 * What a wallet's answer came to: only the claims the step passes on or matches, and evidence
 * without values; never the presentation. Taken (deleted) by the browser's return.
 */
const tryResult = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('verified'),
    collected: z.record(z.string(), z.unknown()),
    matched: z.unknown(),
    evidence,
  }),
  z.object({ kind: z.literal('rejected'), reason: z.enum(REJECTION_REASONS), evidence }),
  z.object({ kind: z.literal('declined-in-wallet') }),
  z.object({ kind: z.literal('wallet-error'), error: z.string() }),
  z.object({ kind: z.literal('unavailable') }),
]);

export type TryResult = z.output<typeof tryResult>;

/** The stored try, or undefined when the value is not one. */
export function tryRecordFrom(value: unknown): TryRecord | undefined {
  return tryRecord.safeParse(value).data;
}

/** The stored result, or undefined when the value is not one (none yet). */
export function tryResultFrom(value: unknown): TryResult | undefined {
  return tryResult.safeParse(value).data;
}

/** The transaction id the interaction's page shows (`RECORDS.current`), when there is one. */
export function currentTransaction(value: unknown): string | undefined {
  return z.object({ transactionId: z.string() }).safeParse(value).data?.transactionId;
}
