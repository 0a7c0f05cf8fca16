import type { Evidence } from '../../model.js';
import type { RejectionReason } from './rejection.js';

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

export interface TryRecord {
  interactionId: string;
  transactionId: string;
  nonce: string;
  state: string;
  /** The value the browser returns with; its digest is in that browser's session only. */
  responseCode: string;
  expiresAt: number;
}

/**
 * What a wallet's answer came to: only the claims the step passes on or matches, and evidence
 * without values; never the presentation. Taken (deleted) by the browser's return.
 */
export type TryResult =
  | { kind: 'verified'; collected: Record<string, unknown>; matched: unknown; evidence: Evidence }
  | { kind: 'rejected'; reason: RejectionReason; evidence: Evidence }
  | { kind: 'declined-in-wallet' }
  | { kind: 'wallet-error'; error: string }
  | { kind: 'unavailable' };

export function isTryRecord(value: unknown): value is TryRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ['interactionId', 'transactionId', 'nonce', 'state', 'responseCode'].every((k) => typeof v[k] === 'string') && typeof v.expiresAt === 'number';
}

export function isTryResult(value: unknown): value is TryResult {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'verified' || kind === 'rejected' || kind === 'declined-in-wallet' || kind === 'wallet-error' || kind === 'unavailable';
}

export function currentTransaction(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const tx = (value as { transactionId?: unknown }).transactionId;
  return typeof tx === 'string' ? tx : undefined;
}
