import type { Translate } from '../../web/i18n.js';

/** What a step sees: the tenant's claims, the language, the translator. No tokens, sessions or SQL. */
export interface StepContext {
  claims: Readonly<Record<string, unknown>>;
  locale: string;
  t: Translate;
  /** The form just posted, when the page is shown again with errors: to keep what the user typed. */
  input?: FormInput;
}

/** What the ledger records about what the user was shown. */
export interface Evidence {
  termsVersion: string | null;
  termsHash: string | null;
  /** The language of the document shown. */
  locale: string | null;
}

/** A posted form, as the body parser hands it over: every value is hostile until checked. */
export type FormInput = Readonly<Record<string, unknown>>;

export type StepOutcome =
  /** Go on; these claims are added to what the tenant receives. */
  | { next: Record<string, unknown>; evidence: Evidence }
  /** Show the page again with these messages (field name → message). */
  | { invalid: Record<string, string> }
  /** End the journey; the tenant receives this message as the error and fails the issuance. */
  | { fail: string; evidence: Evidence };

/**
 * One custom step: a GET renders `views/steps/<template>.ejs` with `view()`, a POST calls
 * `decide()`. The interaction keeps the cursor, the collected claims and the deadline.
 */
export interface Step {
  readonly id: string;
  readonly template: string;
  view(ctx: StepContext): Record<string, unknown>;
  decide(input: FormInput, ctx: StepContext): StepOutcome;
  /**
   * The largest claims this step can ever add (omitted: none). Signed at start-up to check that
   * the way back to the tenant always fits in a URL.
   */
  largestClaims?(): Record<string, unknown>;
  /** What the ledger records about what this step shows, also when the user never answers. */
  evidence?(ctx: StepContext): Evidence;
  /** Set when a subject who already accepted this version of the step may go straight on. */
  readonly skipIfAcceptedVersion?: string;
}
