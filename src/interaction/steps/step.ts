import type { Translate } from '../../web/i18n.js';
import type { Evidence, FailureReason, Verification } from '../model.js';

/** A posted form or an action's JSON body, as the parser hands it over: hostile until checked. */
export type FormInput = Readonly<Record<string, unknown>>;

/**
 * What a step sees: the tenant's claims, whom the journey is about, the language. No tokens,
 * sessions or SQL; a step type that needs storage gets its own port when it is built.
 */
export interface StepContext<Key extends string = string> {
  /** The interaction, for records the step keeps about it (a code, a challenge). */
  interactionId: string;
  claims: Readonly<Record<string, unknown>>;
  /** The token's `sub` or the configured subject claim, when there is one. */
  subject: string | null;
  locale: string;
  /** The step type's own words (`Key`, its messages' keys) in `locale`. */
  t: Translate<Key>;
  now: Date;
  /** The form just posted, when the page is shown again: to keep what the user typed. */
  input?: FormInput;
  /** Whether this is the last step: its main button then says that it finishes. */
  isLast: boolean;
  /**
   * A fresh single-use value for a step that sends the user to another site: passed there as
   * `state`, it brings the user back to `/interaction/return/<type>` and this interaction.
   */
  returnState: string;
  /** This hook's origin, for URLs another site sends the user back to. */
  hookOrigin: string;
  /** What the steps this journey passed before this one verified about the person. */
  verified: Verification;
}

export type StepOutcome =
  /** Go on; these claims are added to what the tenant receives. */
  | {
      kind: 'next';
      claims: Record<string, unknown>;
      evidence: Evidence;
      /**
       * Whether this success verified the person; absent, as the step's type declares
       * (`verifiesPerson`). A step says `false` when this pass proved nothing (a passkey just
       * created, a sign-in not matched to the tenant's claim).
       */
      verified?: boolean;
      /** The address this success proved the person holds (an emailed code): where a later step may write to them. */
      confirmedAddress?: string;
    }
  /** Show the page again with this status, these messages (field → message) and extra view data. */
  | {
      kind: 'again';
      status: number;
      errors: Record<string, string>;
      view?: Record<string, unknown>;
      /** The page shows what was just typed (a language switch): it answers the POST itself, as a redirect would lose it. */
      keepsTyped?: boolean;
    }
  /** The user chose not to go on: the tenant receives `message` as the error. */
  | { kind: 'declined'; message: string; evidence: Evidence }
  /**
   * The step ended the journey (a check not passed, not the user's choice). With `reason`, the
   * person sees a page that says why, its button the way back, instead of going straight back.
   */
  | { kind: 'failed'; message: string; evidence: Evidence; reason?: FailureReason }
  /** Send the user to another site (an OpenID provider); nothing is decided yet. */
  | { kind: 'leave'; url: string };

/** What a step-owned action answers: JSON for the page's script, or an outcome for the journey. */
export type ActionResult = { kind: 'reply'; status: number; body: Record<string, unknown> } | StepOutcome;

/** A JSON endpoint under `/interaction/:id/<name>` (CSRF-protected), e.g. one half of a WebAuthn ceremony. */
export type StepAction<Key extends string = string> = (
  input: FormInput,
  ctx: StepContext<Key>,
) => Promise<ActionResult>;

/**
 * One configured step: a GET renders `views/steps/<type>.ejs` with `view()`, a POST calls
 * `decide()`. The journey keeps the cursor, the collected claims and the deadline. `Key` is its
 * type's message keys: the only words its `ctx.t` finds.
 */
export interface Step<Key extends string = string> {
  readonly id: string;
  /** The step type, which names its template. */
  readonly type: string;
  view(ctx: StepContext<Key>): Record<string, unknown> | Promise<Record<string, unknown>>;
  decide(input: FormInput, ctx: StepContext<Key>): StepOutcome | Promise<StepOutcome>;
  /** JSON endpoints of this step, by name. */
  readonly actions?: Readonly<Record<string, StepAction<Key>>>;
  /** Where a user sent elsewhere (`leave`) comes back: the query of `/interaction/return/<type>`. */
  returnFrom?(query: FormInput, ctx: StepContext<Key>): Promise<StepOutcome>;
  /**
   * The query parameter of the return that carries `returnState` back (default `state`, as OAuth
   * has it): a return whose value is not one this browser's waiting journey holds decides nothing.
   */
  readonly returnParameter?: string;
  /**
   * The largest claims this step can ever add (omitted: none). Signed at start-up to check that
   * the way back to the tenant always fits in a URL.
   */
  largestClaims?(): Record<string, unknown>;
  /** What the ledger records about what this step shows, also when the user never answers. */
  evidence?(ctx: StepContext<Key>): Evidence;
  /**
   * Origins this step sends the user to (`leave`): the page's forms may be redirected there, which
   * the Content-Security-Policy's `form-action` must allow, or the browser stops the user.
   */
  readonly sendsTo?: readonly string[];
  /** Set when a subject who already accepted this version of the step may go straight on. */
  readonly skipIfAcceptedVersion?: string;
  /**
   * Endpoints for another party's software (a wallet), under `/interaction/<prefix>/<key>/<name>`:
   * no session and no CSRF, since that software has neither; `key` alone binds a request to what
   * the step keeps, so the step makes it unguessable.
   */
  readonly publicEndpoints?: PublicEndpoints;
  /** Whether what the step needs (its provider) answers now; `detail` a fixed sentence, never a URL or an error. */
  readiness?(): Promise<{ ok: boolean; detail?: string }>;
}

/** A request to a step's public endpoint: hostile until the step has checked it. */
export interface PublicRequest {
  method: 'GET' | 'POST';
  key: string;
  name: string;
  /** The form posted (urlencoded), or the query of a GET. */
  body: FormInput;
  now: Date;
}

/** The answer: JSON, or a text of its own content type (a signed request object). */
export type PublicAnswer =
  { status: number; json: Record<string, unknown> } | { status: number; text: string; contentType: string };

export interface PublicEndpoints {
  /** The path segment after `/interaction/`: never an interaction id, nor `return`. */
  readonly prefix: string;
  handle(request: PublicRequest): Promise<PublicAnswer>;
}

/** The step cannot do its work now (its mail server or provider is away): a 503 page, nothing spent. */
export class StepUnavailableError extends Error {
  constructor(
    readonly what: string,
    options?: { cause?: unknown },
  ) {
    super(`${what} is unavailable`, options);
    this.name = 'StepUnavailableError';
  }
}
