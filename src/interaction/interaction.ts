import { createHash } from 'node:crypto';
import type { Arrival } from '../mattr/session-token.js';
import { timeOrderedId } from '../web/time-ordered-id.js';
import type { FailureReason, Verification } from './model.js';

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
  /** Index of the current step (among all the configured steps, those the plan skips included). */
  cursor: number;
  /**
   * The plan fixed at arrival: the steps left out because their `when` did not hold for `claims`,
   * by id, each with the condition that decided as the ledger records it. Absent: every step runs.
   */
  skipped?: Readonly<Record<string, string>>;
  /** Epoch ms when the current step began, once past the first (which began at `createdAt`). */
  stepStartedAt?: number;
  /** What the steps passed so far verified about the person (absent: nothing yet). */
  verified?: Verification;
  /** Claims collected by the steps so far, sent back on completion. */
  collected: Record<string, unknown>;
  status: 'active' | 'completed' | 'declined' | 'failed' | 'expired';
  /** Why it failed, when the finished page says so (the step's `reason`). */
  failedBecause?: FailureReason;
  /**
   * Once finished here: until when (epoch ms) the one redirect back is repeated to a second tap. The
   * redirect itself (the tenant's URL with our signed token) is read from the ledger's completions,
   * which delete it once it has run out: the session never holds a token past its use.
   */
  repeatUntil?: number;
  /**
   * What a POST that succeeded without moving on (a code sent, a sign-in cancelled) leaves for the
   * step's page to show once: the POST answers with a 303 to that page (post/redirect/get), so a
   * reload or Back repeats a GET, never the POST. Cleared when the page is shown.
   */
  shownOnce?: { errors: Record<string, string>; view: Record<string, unknown> };
  /**
   * While the current step has sent the user to another site: the digest of the single-use value
   * (`returnState`) that binds the return to this journey (returnDigest).
   */
  awaitingReturn?: { type: string; digest: string };
  /**
   * The return this journey took last (what `awaitingReturn` was): the same return opened again (a
   * reload, a second tap in the other app) leads to the journey's page, not to a refusal.
   */
  returnedWith?: { type: string; digest: string };
}

declare module 'express-session' {
  interface SessionData {
    interactions?: Record<string, Interaction>;
  }
}

/** Interaction ids: the time they were made, then 128 random bits, URL-safe (see timeOrderedId). */
const ID_PATTERN = /^[0-9a-f]{12}[A-Za-z0-9_-]{22}$/;

export function isInteractionId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** Whether `path` is an interaction's page, `/interaction/<id>`. */
export function isInteractionPath(path: string): boolean {
  return path.startsWith(INTERACTION_PREFIX) && isInteractionId(path.slice(INTERACTION_PREFIX.length));
}

const INTERACTION_PREFIX = '/interaction/';

export function startInteraction(arrival: Arrival, now: Date, timeoutSeconds: number): Interaction {
  return {
    id: timeOrderedId(16),
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

/** The interactions that can still go on: not finished, and before their deadline. */
export function liveInteractions(
  interactions: Readonly<Record<string, Interaction>> | undefined,
  now: Date,
): Record<string, Interaction> {
  return Object.fromEntries(
    Object.entries(interactions ?? {}).filter(([, i]) => i.status === 'active' && i.deadline >= now.getTime()),
  );
}

/**
 * How many interactions one browser session holds. Finished ones stay so that the back button
 * gets "already completed" rather than "not found", but they give way first.
 */
export const MAX_INTERACTIONS_PER_SESSION = 10;

/**
 * The session's interactions with `interaction` added. When the session is full, the oldest
 * finished (or timed-out) interaction goes first, then the oldest unfinished one: the newest
 * arrival is the one the wallet is waiting for, so it is never the one refused.
 */
export function admitInteraction(
  existing: Readonly<Record<string, Interaction>> | undefined,
  interaction: Interaction,
  now: Date,
  max = MAX_INTERACTIONS_PER_SESSION,
): Record<string, Interaction> {
  const kept = Object.values(existing ?? {}).sort((a, b) => a.createdAt - b.createdAt);
  const finished = (i: Interaction) => i.status !== 'active' || i.deadline < now.getTime();
  while (kept.length >= max) {
    const oldestFinished = kept.findIndex(finished);
    kept.splice(oldestFinished === -1 ? 0 : oldestFinished, 1);
  }
  return Object.fromEntries([...kept, interaction].map((i) => [i.id, i]));
}

/** What the session keeps of a return's binding value: enough to recognise it, nothing to replay. */
export function returnDigest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
