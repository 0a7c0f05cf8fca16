import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Store as SessionStore } from 'express-session';
import type { Completion, DecisionRecord, Decision } from '../interaction/model.js';
import type { PublishedTermsStore, StepRecords, SubjectRecords } from '../interaction/steps/step-ports.js';
import type { ChainedDecision, ChainState } from './ledger-chain.js';

/**
 * What must become durable in the same commit as a session: a session token claimed on arrival, a
 * decision on a step, and the way back when that decision ends the journey. When the claim or the
 * decision was made before, nothing is written and the save fails with CommitRefusedError.
 */
export interface SessionCommit {
  claim?: { key: string; expiresAt: Date };
  decision?: DecisionRecord;
  completion?: Completion & { interactionId: string };
}

/** Single use of session tokens. */
export interface TokenClaims {
  /** Atomically claims `key` until `expiresAt`. True for the first caller only, also when callers race. */
  claimOnce(key: string, expiresAt: Date): Promise<boolean>;
}

/** The append-only decision ledger, and the ways back kept beside it. */
export interface Ledger {
  /** The decision this interaction already has for `step`, or null. */
  decisionFor(interactionId: string, step: string): Promise<Decision | null>;
  /** The way back stored for this interaction while its token is still valid, or null. */
  completionFor(interactionId: string, now: Date): Promise<Completion | null>;
  /** Whether `subject` has an `accepted` decision on `step` for terms `version`. */
  hasAccepted(subject: string, step: string, version: string): Promise<boolean>;
  /** Rows in the order they were written, optionally from `since` on. */
  decisions(filter?: { since?: Date }): AsyncIterable<DecisionRecord>;
  /** The same rows with their links in the hash chain (ledger-chain.ts), optionally after row `afterSeq`. */
  chained(filter?: { since?: Date; afterSeq?: number }): AsyncIterable<ChainedDecision>;
  /** The chain's head, length and checkpoint as recorded beside the rows; null when that record is gone. */
  chainState(): Promise<ChainState | null>;
  /**
   * Deletes rows older than `before` (retention) from the start of the chain, keeping the hash of
   * the last one as the checkpoint the chain then starts from; returns how many.
   */
  prune(before: Date): Promise<number>;
}

/**
 * Everything the hook keeps, as small ports. One adapter per engine; nothing outside `storage/`
 * knows which runs. Every write the journey awaits before a redirect is durable when it resolves.
 */
export interface Storage {
  readonly engine: string;
  /** express-session's store; `saveSessionWith` (session-commit.ts) commits a SessionCommit with it. */
  readonly sessions: SessionStore;
  readonly tokens: TokenClaims;
  readonly ledger: Ledger;
  readonly terms: PublishedTermsStore;
  readonly stepRecords: StepRecords;
  /** What steps keep per subject (passkeys…), every kind in one port. */
  readonly subjectRecords: SubjectRecords;
  /**
   * Where ARRIVAL_RATE_LIMIT counts, shared by every replica on this storage: a new
   * express-rate-limit store for each limiter (the library refuses to share one). Absent on the
   * embedded file, which one process uses: its memory (or its primary's, with workers) counts.
   */
  arrivalCounts?(): RateLimitStore;
  /** Deletes expired sessions, claims, ways back, step records and arrival counts; returns how many rows went. */
  pruneExpired(now: Date): Promise<number>;
  /** Resolves when the engine answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
