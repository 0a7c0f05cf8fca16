import { randomBytes } from 'node:crypto';
import type { Arrival } from '../mattr/session-token.js';

/** One user's journey through the steps, kept server-side in their session under a random id. */
export interface Interaction {
  id: string;
  /** Echoed unchanged to the tenant. */
  state: string;
  /** Verified on arrival; the only place the user is ever sent back to. */
  redirectUrl: string;
  /** The claims the tenant sent along (may prefill steps). */
  claims: Record<string, unknown>;
  subject: string | null;
  createdAt: number;
  /** Epoch ms after which the journey cannot go on. */
  deadline: number;
  /** Index of the current step. */
  cursor: number;
  /** Epoch ms when the current step began, once past the first (which began at `createdAt`). */
  stepStartedAt?: number;
  /** Claims collected by the steps so far, sent back on completion. */
  collected: Record<string, unknown>;
  status: 'active' | 'completed' | 'declined' | 'expired';
}

declare module 'express-session' {
  interface SessionData {
    interactions?: Record<string, Interaction>;
  }
}

/** Interaction ids: 128 random bits, URL-safe. */
const ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export function isInteractionId(value: string): boolean {
  return ID_PATTERN.test(value);
}

export function startInteraction(arrival: Arrival, now: Date, timeoutSeconds: number): Interaction {
  return {
    id: randomBytes(16).toString('base64url'),
    state: arrival.state,
    redirectUrl: arrival.redirectUrl,
    claims: arrival.claims,
    subject: arrival.subject,
    createdAt: now.getTime(),
    deadline: now.getTime() + timeoutSeconds * 1000,
    cursor: 0,
    collected: {},
    status: 'active',
  };
}
