import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Store as SessionStore } from 'express-session';

/**
 * `already_accepted`: the step was skipped because the subject had accepted this version before
 * (`skipIfAccepted`); the user was not shown the text this time. `failed`: the step ended the
 * journey (a check the user did not pass), not the user's choice.
 */
export type Decision = 'accepted' | 'declined' | 'expired' | 'failed' | 'already_accepted';

/** What a step records about itself: its own small JSON object (terms: version, hash, language). */
export type Evidence = Readonly<Record<string, unknown>>;

/** One append-only ledger row: who decided what, on which step, shown which text, and when. */
export interface DecisionRecord {
  interactionId: string;
  state: string;
  /** The token's `sub`, or a configured claim, when there is one. */
  subject: string | null;
  step: string;
  /** The version of what the step showed (terms), indexed for `skipIfAccepted`. */
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
  /** The step's own record of what happened, never a secret, code or full address. */
  evidence: Evidence | null;
}

/** A terms document as published: the text behind a version may never change. */
export interface PublishedTerms {
  step: string;
  version: string;
  locale: string;
  /** SHA-256 (hex) of the exact text. */
  sha256: string;
}

/** The way back to the tenant, kept with the decision that ended the journey. */
export interface Completion {
  interactionId: string;
  /** The tenant's redirectUrl with our signed token: as secret as the token itself. */
  url: string;
  expiresAt: Date;
}

/**
 * What must become durable in the same commit as a session: a session token claimed on arrival, a
 * decision on a step, and the way back when that decision ends the journey. When the claim or the
 * decision was made before, nothing is written and the save fails with CommitRefusedError.
 */
export interface SessionCommit {
  claim?: { key: string; expiresAt: Date };
  decision?: DecisionRecord;
  completion?: Completion;
}

export type CommitRefusal = 'token_claimed' | 'already_decided';

export class CommitRefusedError extends Error {
  constructor(readonly reason: CommitRefusal) {
    super(reason === 'token_claimed' ? 'the session token was used before' : 'the step was decided before');
    this.name = 'CommitRefusedError';
  }
}

/** Single use of session tokens. */
export interface TokenClaims {
  /** Atomically claims `key` until `expiresAt`. True for the first caller only, also when callers race. */
  claimOnce(key: string, expiresAt: Date): Promise<boolean>;
}

/** The append-only decision ledger, and the ways back kept beside it. */
export interface Ledger {
  /** Appends a decision, durably. False (and nothing written) when this interaction already decided this step. */
  record(record: DecisionRecord): Promise<boolean>;
  /** The decision this interaction already has for `step`, or null. */
  decisionFor(interactionId: string, step: string): Promise<Decision | null>;
  /** The way back stored for this interaction while its token is still valid, or null. */
  completionFor(interactionId: string, now: Date): Promise<{ url: string; expiresAt: Date } | null>;
  /** Whether `subject` has an `accepted` decision on `step` for terms `version`. */
  hasAccepted(subject: string, step: string, version: string): Promise<boolean>;
  /** Rows in the order they were written, optionally from `since` on. */
  decisions(filter?: { since?: Date }): AsyncIterable<DecisionRecord>;
  /** Deletes rows older than `before` (retention); returns how many. */
  prune(before: Date): Promise<number>;
}

export interface PublishedTermsStore {
  /**
   * Records that this text is what `version` means, the first time it is seen. When the version
   * was published before with other text, writes nothing and returns the hash published then.
   */
  publish(terms: PublishedTerms): Promise<{ ok: true } | { ok: false; publishedSha256: string }>;
}

/**
 * Short-lived records a step keeps for one interaction (a one-time code's hash, a challenge, an
 * OpenID `state`): JSON under a kind and a key, gone at `expiresAt`. `take` reads and deletes in
 * one atomic step, so of two requests racing for a record only one gets it.
 */
export interface StepRecords {
  put(kind: string, key: string, value: unknown, expiresAt: Date): Promise<void>;
  /** Writes the record only when none is there (or it has expired): of two racing adds, one gets true. */
  add(kind: string, key: string, value: unknown, expiresAt: Date, now: Date): Promise<boolean>;
  get(kind: string, key: string, now: Date): Promise<unknown>;
  take(kind: string, key: string, now: Date): Promise<unknown>;
  delete(kind: string, key: string): Promise<void>;
}

/** A WebAuthn credential (passkey) a subject enrolled here; the public key only, never a secret. */
export interface PasskeyCredential {
  /** The credential id, base64url, as the authenticator names it. */
  id: string;
  subject: string;
  /** The COSE public key, as the authenticator gave it. */
  publicKey: Uint8Array;
  /** The signature counter last seen; 0 for authenticators that keep none. */
  counter: number;
  /** Hints for the browser: "internal", "hybrid", "usb", … */
  transports: string[];
  createdAt: Date;
  lastUsedAt: Date;
}

/** Passkeys per subject. Ids are unique across subjects: one credential belongs to one subject. */
export interface PasskeyCredentials {
  /** The subject's credentials, oldest first. */
  forSubject(subject: string): Promise<PasskeyCredential[]>;
  /** Stores a new credential; false (nothing written) when its id is already stored. */
  add(credential: PasskeyCredential): Promise<boolean>;
  /**
   * Records a use: the counter moves to `counter` and `lastUsedAt` to `at`, only when the stored
   * counter is lower (or both are 0, for authenticators without one). False when it was not:
   * of two uses racing with one counter value only one goes through.
   */
  recordUse(id: string, counter: number, at: Date): Promise<boolean>;
  /** Removes the subject's credentials, or only the one with `id` among them; says how many went. */
  remove(subject: string, id?: string): Promise<number>;
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
  readonly passkeys: PasskeyCredentials;
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
