/**
 * The journey's domain values, shared by the journey, the steps, the ledger and the storage
 * ports that keep them. Nothing here knows an engine.
 */

/**
 * `already_accepted`: the step was skipped because the subject had accepted this version before
 * (`skipIfAccepted`); the user was not shown the text this time. `skipped`: the step's `when` did
 * not hold for the arrival's claims, so the plan left it out. `failed`: the step ended the journey
 * (a check the user did not pass), not the user's choice.
 */
export type Decision = 'accepted' | 'declined' | 'expired' | 'failed' | 'already_accepted' | 'skipped';

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

/**
 * What the steps a journey has passed proved about the person: the ids of those whose success
 * verified them (`StepType.verifiesPerson`, or the step's own `verified` in its outcome), and the
 * address one of them confirmed (an emailed code). A step that binds a new authenticator to the
 * subject relies on it.
 */
export interface Verification {
  steps: readonly string[];
  email: string | null;
}

export const NOT_VERIFIED: Verification = { steps: [], email: null };

/**
 * Why a journey failed, when the person is told on a page before going back (`too-many-codes`:
 * the last wrong one-time code was entered). A failure without one goes straight back to the tenant.
 */
export type FailureReason = 'too-many-codes';

/**
 * The way back to the tenant once a journey has finished here: the tenant's redirectUrl with our
 * signed token (as secret as the token itself) and when that token runs out (epoch ms). The session
 * keeps it in the interaction, the ledger beside the decision that ended the journey.
 */
export interface Completion {
  url: string;
  expiresAt: number;
}

export type CommitRefusal = 'token_claimed' | 'already_decided';

export class CommitRefusedError extends Error {
  constructor(readonly reason: CommitRefusal) {
    super(reason === 'token_claimed' ? 'the session token was used before' : 'the step was decided before');
    this.name = 'CommitRefusedError';
  }
}
