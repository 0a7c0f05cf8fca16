import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Store } from 'express-session';

/**
 * `already_accepted`: the step was skipped because the subject had accepted this version before
 * (`skipIfAccepted`); the user was not shown the text this time.
 */
export type Decision = 'accepted' | 'declined' | 'expired' | 'failed' | 'already_accepted';

/** One append-only ledger row: who decided what, on which step, shown which text, and when. */
export interface DecisionRecord {
  interactionId: string;
  state: string;
  /** The token's `sub`, or a configured claim, when there is one. */
  subject: string | null;
  step: string;
  termsVersion: string | null;
  /** SHA-256 (hex) of the exact terms text shown. */
  termsHash: string | null;
  locale: string | null;
  decision: Decision;
  at: Date;
  /** Only when the operator turns them on. */
  ip: string | null;
  userAgent: string | null;
  /** Claim values, only when the operator opts in. */
  claims: Record<string, unknown> | null;
}

/** A terms document as published: the text behind a version may never change. */
export interface PublishedTerms {
  step: string;
  version: string;
  locale: string;
  /** SHA-256 (hex) of the exact text. */
  sha256: string;
}

/**
 * Everything the hook keeps. One adapter per engine; nothing outside `storage/` knows which runs.
 * Every method that the journey awaits before a redirect is durable when it resolves.
 */
export interface Storage {
  readonly engine: string;
  /** The express-session store for the cookie sessions. */
  readonly sessions: Store;
  /**
   * Atomically claims `key` until `expiresAt`. True for the first caller only — also when two
   * callers race — so a session token is used once.
   */
  claimOnce(key: string, expiresAt: Date): Promise<boolean>;
  /**
   * Appends a decision, durably, before the user is redirected. Returns false (and writes nothing)
   * when this interaction already has a decision for this step: the guard against double submits.
   */
  recordDecision(record: DecisionRecord): Promise<boolean>;
  /**
   * Records that this text is what `version` means, the first time it is seen. When the version
   * was published before with other text, writes nothing and returns the hash published then.
   */
  publishTerms(terms: PublishedTerms): Promise<{ ok: true } | { ok: false; publishedSha256: string }>;
  /**
   * The decision this interaction already has for `step`, or null. What a submit that
   * `recordDecision` refused was too late for: the journey goes on from it rather than asking again.
   */
  decisionFor(interactionId: string, step: string): Promise<Decision | null>;
  /** Whether `subject` has an `accepted` decision on `step` for terms `version`. */
  hasAccepted(subject: string, step: string, version: string): Promise<boolean>;
  /** Ledger rows in the order they were written, optionally from `since` on. */
  decisions(filter?: { since?: Date }): AsyncIterable<DecisionRecord>;
  /** Deletes ledger rows older than `before` (retention); returns how many. */
  pruneDecisions(before: Date): Promise<number>;
  /**
   * Where ARRIVAL_RATE_LIMIT counts, shared by every replica on this storage: a new
   * express-rate-limit store for each limiter (the library refuses to share one). Absent on the
   * embedded file, which one process uses: its memory (or its primary's, with workers) counts.
   */
  arrivalCounts?(): RateLimitStore;
  /** Deletes expired sessions, claims and arrival counts; returns how many rows went. */
  pruneExpired(now: Date): Promise<number>;
  /** Resolves when the engine answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
