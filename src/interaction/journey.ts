import {
  NOT_VERIFIED,
  type Completion,
  type Decision,
  type Evidence,
  type FailureReason,
  type Verification,
} from './model.js';
import type { StepOutcome } from './steps/step.js';
import { returnDigest, type Interaction } from './interaction.js';
import { conditionHolds, describeCondition, type StepCondition } from './step-condition.js';

/**
 * The journey as a pure state machine: given an interaction and what just happened, what must
 * happen next, and the interaction as it will be once that is done. No Express, storage or clock:
 * the routes carry the actions out (journey-runner.ts) and report back with the next event.
 *
 * The rules it keeps:
 * - a decision is committed (durably, with the session) before the user is sent anywhere;
 * - one decision per step and one way back per interaction: a finished interaction repeats the
 *   same redirect while its token is valid, and never makes a second one;
 * - the plan is fixed at arrival: a step whose `when` does not hold for the arrival's claims is
 *   passed over as `skipped`, with the condition that decided (never the claim's value);
 * - a step the subject accepted before (`skipIfAccepted`) is passed over, and that is recorded;
 * - after the deadline nothing more is decided but `expired`.
 */

/** What the machine knows of the configured steps. */
export interface JourneyPlan {
  /**
   * `verifiesPerson`: the step's type says its success verifies the person (absent: it does not).
   * `when`: the step runs only when this holds for the arrival's claims (absent: always).
   */
  steps: ReadonlyArray<{
    id: string;
    type: string;
    skippable: boolean;
    verifiesPerson?: boolean;
    when?: StepCondition;
  }>;
}

export type Refusal =
  'interaction_finished' | 'interaction_declined' | 'interaction_failed' | 'interaction_expired' | 'return_unmatched';

/** How a journey ends when it finishes here: the token the tenant gets. */
export type Finish = { kind: 'success'; claims: Record<string, unknown> } | { kind: 'failure'; message: string };

export type JourneyEvent =
  /** The interaction was just made from a verified arrival. */
  | { kind: 'arrived' }
  /** Its page was asked for (`GET`). */
  | { kind: 'visited' }
  /**
   * Its page's form or one of its step's actions was posted. `step`: the step the form was drawn
   * for, when it says (a page the journey has since moved past answers nothing).
   */
  | { kind: 'posted'; step?: string | undefined }
  /** The browser came back from another site to the return route of step type `type`, with this binding value. */
  | { kind: 'returned'; type: string; binding: string }
  /** Whether the return's single-use record was still there for this interaction (another request may have taken it). */
  | { kind: 'return-taken'; bound: boolean }
  /** The current step's answer to a submit, an action or a return. */
  | { kind: 'answered'; outcome: StepOutcome }
  /** Whether the subject accepted the current step's version before. */
  | { kind: 'acceptance-checked'; acceptedBefore: boolean }
  /** The commit asked for is durable; `completion`, the way back it made when it ended the journey. */
  | { kind: 'committed'; completion?: Completion }
  /**
   * The finished interaction's way back as the ledger keeps it (null once its token has run out),
   * read for a page that was `visited` or `posted`.
   */
  | { kind: 'completion-read'; completion: Completion | null; for: 'visited' | 'posted' }
  /** The commit was refused: the step had been decided before (a double submit, a lost session). */
  | { kind: 'decided-before'; decision: Decision | null; completion: Completion | null };

export type JourneyAction =
  /** Render the current step (a GET), with what a POST before it left to show once. */
  | { kind: 'show-step'; errors: Record<string, string>; view: Record<string, unknown> }
  /** Ask the current step for its answer (a POST). */
  | { kind: 'run-step' }
  /** Render the current step again with this status, these errors and extra view data. */
  | { kind: 'show-again'; status: number; errors: Record<string, string>; view: Record<string, unknown> }
  /** 303 to the current step's page. */
  | { kind: 'go-to-step' }
  | { kind: 'check-acceptance'; step: string }
  /**
   * Make durable, with the session: `decision` on `step` (when set), and with `finish` the token
   * back to the tenant, kept as the interaction's completion. Then report `committed`. A null
   * `evidence` is what the step shows (`Step.evidence`): the user did not answer it.
   */
  | { kind: 'commit'; step: string; decision: Decision | null; evidence: Evidence | null; finish?: Finish }
  /** Read the finished interaction's way back from the ledger, then report `completion-read`. */
  | { kind: 'read-completion'; for: 'visited' | 'posted' }
  /** Take the return's single-use record (`binding`), then report `return-taken`. */
  | { kind: 'take-return'; binding: string }
  /** Send the user to another site for the current step. */
  | { kind: 'leave'; url: string }
  /** 303 to the tenant with the interaction's one token. */
  | { kind: 'return-to-tenant'; url: string }
  /**
   * The "you have finished here" page, its button the way back with the interaction's one token (a
   * GET never redirects again); with `reason`, the page says why the journey failed.
   */
  | { kind: 'show-finished'; url: string; reason?: FailureReason }
  | { kind: 'refuse'; code: Refusal };

export interface JourneyStep {
  interaction: Interaction;
  action: JourneyAction;
}

/** What comes next for `interaction` after `event`, at `now` (epoch ms). */
export function journeyNext(
  interaction: Interaction,
  event: JourneyEvent,
  plan: JourneyPlan,
  now: number,
): JourneyStep {
  const stay = (action: JourneyAction): JourneyStep => ({ interaction, action });
  const step = plan.steps[interaction.cursor];
  const isLast = interaction.cursor === plan.steps.length - 1;

  switch (event.kind) {
    case 'arrived':
      return nextStop(withPlan(interaction, plan), plan, now);

    case 'visited':
    case 'posted': {
      if (interaction.status !== 'active') return finished(interaction, now, event.kind);
      if (!step) return stay({ kind: 'refuse', code: 'interaction_finished' });
      // A second click on a page the journey has already moved past: it must not answer the step
      // the user has not seen yet. The page shows where the journey stands.
      if (event.kind === 'posted' && event.step !== undefined && event.step !== step.id)
        return stay({ kind: 'go-to-step' });
      if (now > interaction.deadline) return expire(interaction, step.id);
      // A skip not yet recorded (its commit failed, the user reloads): recorded now, never shown or run.
      if (skippedBy(interaction, step.id) !== undefined) return nextStop(interaction, plan, now);
      if (event.kind === 'posted') return stay({ kind: 'run-step' });
      const { shownOnce, ...shown } = interaction;
      return {
        interaction: shownOnce ? shown : interaction,
        action: { kind: 'show-step', errors: shownOnce?.errors ?? {}, view: shownOnce?.view ?? {} },
      };
    }

    case 'returned': {
      // Only the value this journey waits with binds a return to it: anything else changes nothing.
      const awaited = interaction.awaitingReturn;
      const bound =
        interaction.status === 'active' &&
        step !== undefined &&
        step.type === event.type &&
        awaited?.type === event.type &&
        awaited.digest === returnDigest(event.binding);
      if (!bound) return stay({ kind: 'refuse', code: 'return_unmatched' });
      if (now > interaction.deadline)
        return expire({ ...interaction, awaitingReturn: undefined, returnedWith: awaited }, step.id);
      return stay({ kind: 'take-return', binding: event.binding });
    }

    case 'return-taken':
      // Not bound: a request with the same return took it first, and that one decides.
      if (!event.bound) return stay({ kind: 'go-to-step' });
      return {
        interaction: { ...interaction, awaitingReturn: undefined, returnedWith: interaction.awaitingReturn },
        action: { kind: 'run-step' },
      };

    case 'answered': {
      const { outcome } = event;
      if (!step) return stay({ kind: 'refuse', code: 'interaction_finished' });
      switch (outcome.kind) {
        case 'again':
          // Post/redirect/get: an answer that succeeded (a code sent, a cancelled sign-in) is a 303 to
          // the step's page, which shows it once; a reload repeats that GET, never the POST. A page
          // with errors is the answer itself, with its 4xx status (docs/steps.md says why).
          // A page that shows what was typed (a language switch) answers the POST itself: the typed
          // values are not kept anywhere for a GET to show.
          if (outcome.status < 300 && outcome.keepsTyped !== true)
            return {
              interaction: { ...interaction, shownOnce: { errors: outcome.errors, view: outcome.view ?? {} } },
              action: { kind: 'go-to-step' },
            };
          return stay({ kind: 'show-again', status: outcome.status, errors: outcome.errors, view: outcome.view ?? {} });
        case 'leave':
          return stay({ kind: 'leave', url: outcome.url });
        case 'next': {
          const collected = { ...interaction.collected, ...outcome.claims };
          const verified = verifiedAfter(interaction, step, outcome);
          if (isLast) {
            return {
              interaction: { ...interaction, collected, verified, status: 'completed' },
              action: {
                kind: 'commit',
                step: step.id,
                decision: 'accepted',
                evidence: outcome.evidence,
                finish: { kind: 'success', claims: collected },
              },
            };
          }
          return {
            interaction: { ...interaction, collected, verified, cursor: interaction.cursor + 1, stepStartedAt: now },
            action: { kind: 'commit', step: step.id, decision: 'accepted', evidence: outcome.evidence },
          };
        }
        case 'declined':
        case 'failed':
          return {
            interaction: {
              ...interaction,
              status: outcome.kind,
              ...(outcome.kind === 'failed' && outcome.reason ? { failedBecause: outcome.reason } : {}),
            },
            action: {
              kind: 'commit',
              step: step.id,
              decision: outcome.kind,
              evidence: outcome.evidence,
              finish: { kind: 'failure', message: outcome.message },
            },
          };
      }
      break;
    }

    case 'acceptance-checked': {
      if (!step) return stay({ kind: 'refuse', code: 'interaction_finished' });
      if (!event.acceptedBefore) return stay({ kind: 'go-to-step' });
      // What the step would have shown: the runner asks the step, as for an expiry.
      return passOver(interaction, plan, 'already_accepted', null, now);
    }

    case 'committed': {
      if (interaction.status === 'expired') return stay({ kind: 'refuse', code: 'interaction_expired' });
      if (interaction.status !== 'active') return finished(interaction, now, 'posted', event.completion ?? null);
      return nextStop(interaction, plan, now);
    }

    case 'completion-read':
      if (interaction.status === 'active') return stay({ kind: 'refuse', code: 'interaction_finished' });
      return finished(interaction, now, event.for, event.completion);

    case 'decided-before':
      return decidedBefore(interaction, event, plan, now);
  }
  return stay({ kind: 'refuse', code: 'interaction_finished' });
}

/**
 * What the journey knows of the person once `step` succeeded with `outcome`. Only a success
 * answered in this journey counts: a step passed over (accepted before, or decided by a request
 * whose session was lost) proved nothing here.
 */
function verifiedAfter(
  interaction: Interaction,
  step: JourneyPlan['steps'][number],
  outcome: Extract<StepOutcome, { kind: 'next' }>,
): Verification {
  const before = interaction.verified ?? NOT_VERIFIED;
  if (!(outcome.verified ?? step.verifiesPerson === true)) return before;
  return { steps: [...before.steps, step.id], email: before.email ?? outcome.confirmedAddress ?? null };
}

/** The deadline passed: nothing more is decided but `expired`. */
function expire(interaction: Interaction, step: string): JourneyStep {
  return {
    interaction: { ...interaction, status: 'expired' },
    action: { kind: 'commit', step, decision: 'expired', evidence: null },
  };
}

/**
 * The journey of `interactions` (a browser's session) that waits for a return of `type` bound to
 * `binding`: the query names nothing, the session decides.
 */
export function journeyAwaiting(
  interactions: Readonly<Record<string, Interaction>> | undefined,
  type: string,
  binding: string,
): Interaction | undefined {
  const digest = returnDigest(binding);
  return Object.values(interactions ?? {}).find(
    (i) => i.status === 'active' && i.awaitingReturn?.type === type && i.awaitingReturn.digest === digest,
  );
}

/**
 * The journey of `interactions` that took this return before, whatever became of it since: the
 * same return opened again is shown where that journey stands now.
 */
export function journeyReturnedFrom(
  interactions: Readonly<Record<string, Interaction>> | undefined,
  type: string,
  binding: string,
): Interaction | undefined {
  const digest = returnDigest(binding);
  return Object.values(interactions ?? {}).find(
    (i) => i.returnedWith?.type === type && i.returnedWith.digest === digest,
  );
}

/**
 * The plan, fixed once at arrival from the token's claims: the steps whose `when` does not hold,
 * each with the condition that left it out (as the ledger records it). Kept in the interaction, so
 * every replica follows the same plan whatever it is asked later.
 */
function withPlan(interaction: Interaction, plan: JourneyPlan): Interaction {
  const skipped = plan.steps.flatMap((step) =>
    step.when && !conditionHolds(step.when, interaction.claims)
      ? [[step.id, describeCondition(step.when)] as const]
      : [],
  );
  return skipped.length === 0 ? interaction : { ...interaction, skipped: Object.fromEntries(skipped) };
}

/** The condition that left `step` out of the interaction's plan; undefined when the step runs. */
function skippedBy(interaction: Pick<Interaction, 'skipped'>, step: string): string | undefined {
  return interaction.skipped && Object.hasOwn(interaction.skipped, step) ? interaction.skipped[step] : undefined;
}

/**
 * Where the current step stands among those the plan runs ("Step current of total"), and whether
 * it is the last of them (its button then says that it ends the journey).
 */
export function planProgress(
  interaction: Pick<Interaction, 'cursor' | 'skipped'>,
  stepIds: readonly string[],
): { current: number; total: number; isLast: boolean } {
  const runs = stepIds.map((id) => skippedBy(interaction, id) === undefined);
  const total = runs.filter(Boolean).length;
  const current = runs.slice(0, interaction.cursor + 1).filter(Boolean).length;
  return { current, total, isLast: current === total };
}

/** The step the journey stops at next: one its plan skips, one to check for an earlier acceptance, or the page. */
function nextStop(interaction: Interaction, plan: JourneyPlan, now: number): JourneyStep {
  const step = plan.steps[interaction.cursor];
  if (!step) return { interaction, action: { kind: 'refuse', code: 'interaction_finished' } };
  const condition = skippedBy(interaction, step.id);
  if (condition !== undefined) return passOver(interaction, plan, 'skipped', { when: condition }, now);
  if (step.skippable && interaction.subject !== null)
    return { interaction, action: { kind: 'check-acceptance', step: step.id } };
  return { interaction, action: { kind: 'go-to-step' } };
}

/**
 * The current step passed over without a page: recorded, then on to the next, or, when it was the
 * last, the journey completes with what was collected (nothing, when every step was passed over).
 */
function passOver(
  interaction: Interaction,
  plan: JourneyPlan,
  decision: 'already_accepted' | 'skipped',
  evidence: Evidence | null,
  now: number,
): JourneyStep {
  const step = plan.steps[interaction.cursor];
  if (!step) return { interaction, action: { kind: 'refuse', code: 'interaction_finished' } };
  if (interaction.cursor === plan.steps.length - 1) {
    return {
      interaction: { ...interaction, status: 'completed' },
      action: {
        kind: 'commit',
        step: step.id,
        decision,
        evidence,
        finish: { kind: 'success', claims: interaction.collected },
      },
    };
  }
  return {
    interaction: { ...interaction, cursor: interaction.cursor + 1, stepStartedAt: now },
    action: { kind: 'commit', step: step.id, decision, evidence },
  };
}

/**
 * A finished interaction: while its token is valid, the same way back — a POST (a second tap) is
 * sent there again, a GET (a reload, Back) gets a page with a button to it — then a page that says
 * how it ended. The session keeps only until when the way back is repeated; the way back itself is
 * read from the ledger (`completion` undefined: not read yet), which never serves one that has run out.
 * A failure the person is told about (`failedBecause`) sends every POST to its page instead, which
 * says why (post/redirect/get): the person is not sent back before reading it.
 */
function finished(
  interaction: Interaction,
  now: number,
  by: 'visited' | 'posted',
  completion?: Completion | null,
): JourneyStep {
  const repeatable = interaction.repeatUntil !== undefined && interaction.repeatUntil > now;
  if (repeatable && completion === undefined) return { interaction, action: { kind: 'read-completion', for: by } };
  if (repeatable && completion && completion.expiresAt > now) {
    const reason = interaction.failedBecause;
    if (by === 'visited')
      return { interaction, action: { kind: 'show-finished', url: completion.url, ...(reason ? { reason } : {}) } };
    return { interaction, action: reason ? { kind: 'go-to-step' } : { kind: 'return-to-tenant', url: completion.url } };
  }
  return { interaction, action: { kind: 'refuse', code: refusalFor(interaction.status) } };
}

function refusalFor(status: Interaction['status']): Refusal {
  if (status === 'declined') return 'interaction_declined';
  if (status === 'failed') return 'interaction_failed';
  if (status === 'expired') return 'interaction_expired';
  return 'interaction_finished';
}

/**
 * The step had a decision already: that decision, not this answer, says how the journey goes on.
 * A journey that ended repeats its way back (also to a submit racing the one that ended it); an
 * acceptance before the last step lets this request go on past it — else a user whose session
 * missed the decision would see the step again, and be refused again, forever.
 */
function decidedBefore(
  interaction: Interaction,
  event: Extract<JourneyEvent, { kind: 'decided-before' }>,
  plan: JourneyPlan,
  now: number,
): JourneyStep {
  const { completion } = event;
  if (completion !== null && completion.expiresAt > now) {
    const status = event.decision === 'declined' || event.decision === 'failed' ? event.decision : 'completed';
    return {
      interaction: { ...interaction, status, repeatUntil: completion.expiresAt },
      action: { kind: 'return-to-tenant', url: completion.url },
    };
  }
  const isLast = interaction.cursor === plan.steps.length - 1;
  switch (event.decision) {
    case 'accepted':
    case 'already_accepted':
    case 'skipped': {
      const step = plan.steps[interaction.cursor];
      if (isLast || !step)
        return {
          interaction: { ...interaction, status: 'completed' },
          action: { kind: 'refuse', code: 'interaction_finished' },
        };
      return {
        interaction: { ...interaction, cursor: interaction.cursor + 1, stepStartedAt: now },
        action: { kind: 'commit', step: step.id, decision: null, evidence: null },
      };
    }
    case 'declined':
    case 'failed':
    case 'expired': {
      const ended = { ...interaction, status: event.decision };
      return { interaction: ended, action: { kind: 'refuse', code: refusalFor(event.decision) } };
    }
    default:
      return { interaction, action: { kind: 'refuse', code: 'interaction_finished' } };
  }
}
