import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

/** The step records' kind for a journey's code: its keyed hash, when it runs out, the attempts so far. */
export const CODE_RECORD = 'email-code';
/** The records outlive any interaction (INTERACTION_TIMEOUT_SECONDS is at most a day), so attempts never reset. */
export const RECORD_LIFETIME_SECONDS = 2 * 86_400;

const CODE_DIGITS = 6;

/**
 * What is kept about a journey's code. Attempts count across every code of the journey: a new code
 * replaces the old one, never the count of wrong guesses.
 */
export interface CodeState {
  /** HMAC-SHA256 (hex) of the code under the step's key; null when no code is live. */
  hash: string | null;
  /** When the code stops working (epoch ms). */
  expiresAt: number;
  /** When the last code was sent (epoch ms); 0 before the first. */
  sentAt: number;
  /** Wrong codes entered in this journey. */
  attempts: number;
  /** Codes sent in this journey. */
  sends: number;
  /** The code was confirmed: the same code posted again (a double submit) goes on the same way. */
  verified: boolean;
}

export const NO_CODE: CodeState = { hash: null, expiresAt: 0, sentAt: 0, attempts: 0, sends: 0, verified: false };

/** Six digits, every value equally likely. */
export function newCode(): string {
  return String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
}

/** Bound to the interaction: the same code in another journey has another hash. */
export function codeHash(key: Buffer, interactionId: string, code: string): string {
  return createHmac('sha256', key).update(`${interactionId}\0${code}`).digest('hex');
}

/** Compared in constant time: how much of a guess was right never shows in the answer's timing. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What the user typed as a code: full-width digits, spaces and dashes allowed; null when it is not six digits. */
export function typedCode(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const code = value.normalize('NFKC').replace(/[\s-]/g, '');
  return new RegExp(`^\\d{${CODE_DIGITS}}$`).test(code) ? code : null;
}

/** A stored value read back: anything not of this shape counts as no record. */
export function codeStateFrom(value: unknown): CodeState | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const numbers = [v.expiresAt, v.sentAt, v.attempts, v.sends].every((n) => typeof n === 'number' && Number.isFinite(n));
  if (!numbers || (v.hash !== null && typeof v.hash !== 'string') || typeof v.verified !== 'boolean') return null;
  return value as CodeState;
}
