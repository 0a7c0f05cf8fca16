import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { HookKeys } from '../mattr/hook-keys.js';
import { COMPLETION_LIFETIME_SECONDS, returnUrl, signCompletion, signFailure } from '../mattr/session-token.js';
import type { SessionCommit, Storage } from '../storage/ports.js';
import { CommitRefusedError, type Completion, type Decision } from './model.js';
import { saveSessionWith } from '../storage/session-commit.js';
import { hookError } from '../web/error-codes.js';
import { HookError } from '../web/hook-error.js';
import { returnDigest, type Interaction } from './interaction.js';
import { PAGE_CHANNEL, type AskStep, type Channel } from './step-answers.js';
import { stepPages } from './step-page.js';
import {
  journeyNext,
  type Finish,
  type JourneyAction,
  type JourneyEvent,
  type JourneyPlan,
  type Refusal,
} from './journey.js';
import type { JourneyMetrics } from './journey-metrics.js';
import type { JourneySettings } from './journey-settings.js';
import { ledgerEntry } from './ledger-entry.js';
import type { StepCondition } from './step-condition.js';
import { StepUnavailableError, type ActionResult, type FormInput, type Step, type StepContext } from './steps/step.js';

export interface RunnerDeps {
  settings: JourneySettings;
  steps: readonly Step[];
  /** The ids of the steps whose type says a success verifies the person (`StepType.verifiesPerson`). */
  verifying: ReadonlySet<string>;
  /** The `when` of each step that has one, by step id: the plan is fixed from them at arrival. */
  conditions: ReadonlyMap<string, StepCondition>;
  storage: Storage;
  keys: HookKeys;
  now: () => Date;
  logger: Logger;
  metrics: JourneyMetrics;
}

/** Where each refusal leads: the page and status the user sees. */
const REFUSALS: Record<Refusal, HookError> = {
  interaction_finished: hookError('interaction_finished'),
  interaction_declined: hookError('interaction_declined'),
  interaction_failed: hookError('interaction_failed'),
  interaction_expired: hookError('interaction_expired'),
  return_unmatched: hookError('return_unmatched'),
};

/** The error a refusal answers with. */
export function refusal(code: Refusal): HookError {
  return REFUSALS[code];
}

/** How the journey is run on one request. */
export interface RunOptions {
  /** How the current step answers on this request: a form, an action, or a return. */
  ask?: AskStep;
  input?: FormInput;
  /** The arrival's token claim, committed with the first save. */
  claim?: SessionCommit['claim'];
  channel?: Channel;
  /** The session was just made: nothing of it is stored yet. */
  newSession?: boolean;
}

/** The step records that bind a return from another site to its interaction. */
const RETURN_RECORD = 'return';
/** A return's record as stored: read back through this, anything else binds nothing. */
const returnRecord = z.object({ interactionId: z.string(), type: z.string() });

/** Room for every step to be skipped, committed and shown: a journey that runs longer is a bug. */
const MOVES_PER_STEP = 4;

/**
 * Carries out what the journey (journey.ts) asks, in the order it asks, through the storage ports:
 * the one place where a decision becomes durable before the user is sent anywhere.
 */
export function journeyRunner(deps: RunnerDeps) {
  const { settings, steps, storage, keys, now, metrics } = deps;
  const plan: JourneyPlan = {
    steps: steps.map((s) => {
      const when = deps.conditions.get(s.id);
      return {
        id: s.id,
        type: s.type,
        skippable: s.skipIfAcceptedVersion !== undefined,
        verifiesPerson: deps.verifying.has(s.id),
        ...(when ? { when } : {}),
      };
    }),
  };

  const { stepContext, render } = stepPages({ settings, steps, now });

  function put(req: Request, interaction: Interaction): void {
    (req.session.interactions ??= {})[interaction.id] = interaction;
  }

  async function signed(interaction: Interaction, finish: Finish): Promise<Completion & { interactionId: string }> {
    const signer = { key: keys.current, hookUrl: settings.hookUrl, tenantUrl: settings.tenantUrl, now: now() };
    const token =
      finish.kind === 'success'
        ? await signCompletion(signer, { state: interaction.state, claims: finish.claims, claimsToPersist: [] })
        : await signFailure(signer, { state: interaction.state, message: finish.message });
    return {
      interactionId: interaction.id,
      url: returnUrl(interaction.redirectUrl, token),
      expiresAt: signer.now.getTime() + COMPLETION_LIFETIME_SECONDS * 1000,
    };
  }

  /** The session saved when the request changed it; a failure only logged, for moves that need it no more. */
  async function saveAfterTheFact(req: Request, interaction: Interaction): Promise<void> {
    await saveSessionWith(req.session).catch((error: unknown) =>
      req.log.warn({ err: error, interaction: interaction.id }, 'finished journey could not be saved in the session'),
    );
  }

  /** What one request's run knows while the journey moves: where it stands, and what is stored. */
  interface Run {
    req: Request;
    res: Response;
    options: RunOptions;
    channel: Channel;
    /** The arrival's token claim, until the first commit carries it. */
    claim: SessionCommit['claim'];
    /** What the session store holds now: a move that changed nothing since needs no second write. */
    stored: Interaction | undefined;
    /** The interaction before this move (`before`) and as the journey wants it after (`next`). */
    before: Interaction;
    next: Interaction;
    /** The step's context once it was asked: a step that leaves made its return value there. */
    asked?: StepContext;
  }

  /** What a handler leaves: the next event for the machine (with the interaction it applies to), or the answer sent. */
  type Moved = { event: JourneyEvent; interaction: Interaction } | 'answered';
  type Handlers = {
    [K in JourneyAction['kind']]: (action: Extract<JourneyAction, { kind: K }>, run: Run) => Promise<Moved>;
  };

  /** One handler per kind of action the journey asks for. */
  const handlers: Handlers = {
    'show-step': async (action, run) => {
      put(run.req, run.next);
      // What was shown once is gone from the session before the page goes out.
      if (run.next !== run.stored) await commit(run.req, {});
      await render(run.req, run.res, run.next, 200, action.errors, action.view);
      return 'answered';
    },
    'show-again': async (action, run) => {
      put(run.req, run.next);
      await render(run.req, run.res, run.next, action.status, action.errors, action.view, run.options.input);
      return 'answered';
    },
    'run-step': async (_action, run) => {
      const step = steps[run.next.cursor];
      if (!step || !run.options.ask) throw hookError('request_invalid');
      run.asked = stepContext(run.res, run.next, run.options.input);
      const result = await askStep(run.options.ask, step, run.asked);
      if (result.kind === 'reply') {
        run.channel.reply(run.res, result.status, result.body);
        return 'answered';
      }
      return { event: { kind: 'answered', outcome: result }, interaction: run.next };
    },
    'check-acceptance': async (_action, run) => ({
      event: { kind: 'acceptance-checked', acceptedBefore: await acceptedBefore(run.req, run.next, stepAt(run.next)) },
      interaction: run.next,
    }),
    'go-to-step': async (_action, run) => {
      put(run.req, run.next);
      if (run.claim || run.next !== run.stored) await commit(run.req, { claim: run.claim });
      run.channel.goTo(run.res, `/interaction/${run.next.id}`);
      return 'answered';
    },
    commit: async (action, run) => {
      const { req, res, next, before } = run;
      const step = steps[before.cursor];
      const ctx = stepContext(res, next);
      const record =
        action.decision === null
          ? undefined
          : ledgerEntry(req, next, action.step, action.decision, action.evidence ?? step?.evidence?.(ctx) ?? null, {
              ledger: settings.ledger,
              at: now(),
              locale: ctx.locale,
            });
      const completion = action.finish ? await signed(next, action.finish) : undefined;
      // The session keeps only until when the way back repeats; the ledger keeps the way back itself.
      const committed: Interaction = completion ? { ...next, repeatUntil: completion.expiresAt } : next;
      put(req, committed);
      let outcome: 'committed' | 'decided-before';
      try {
        outcome = await commitDecision(req, { claim: run.claim, decision: record, completion });
      } catch (error) {
        // A skip that cannot be recorded is no reason to stop the user: the step is shown instead.
        if (
          action.decision !== 'already_accepted' ||
          !(error instanceof HookError) ||
          error.code !== 'storage_unavailable'
        )
          throw error;
        req.log.warn(
          { interaction: before.id, step: action.step },
          'earlier acceptance could not be recorded; showing the step',
        );
        put(req, before);
        return { event: { kind: 'acceptance-checked', acceptedBefore: false }, interaction: before };
      }
      run.claim = undefined;
      if (outcome === 'decided-before') {
        put(req, before);
        return { event: await decidedBefore(req, before, action.step), interaction: before };
      }
      if (action.decision !== null) decided(req, before, action.step, action.decision, committed);
      run.stored = committed;
      const made = completion ? { url: completion.url, expiresAt: completion.expiresAt } : undefined;
      return { event: { kind: 'committed', ...(made ? { completion: made } : {}) }, interaction: committed };
    },
    'read-completion': async (action, run) => {
      const completion = await readLedger(run.req, run.next, () => storage.ledger.completionFor(run.next.id, now()));
      return { event: { kind: 'completion-read', completion, for: action.for }, interaction: run.next };
    },
    'take-return': async (action, run) => {
      const taken = returnRecord.safeParse(await storage.stepRecords.take(RETURN_RECORD, action.binding, now())).data;
      const bound = taken?.interactionId === run.next.id && taken.type === stepAt(run.next).type;
      return { event: { kind: 'return-taken', bound }, interaction: run.next };
    },
    leave: async (action, run) => {
      // Single use: the return takes this record, so of two returns with one value only one goes on.
      if (!run.asked) throw new Error('a step sent the user away without being asked');
      const { type } = stepAt(run.next);
      const binding = run.asked.returnState;
      await storage.stepRecords.put(
        RETURN_RECORD,
        binding,
        { interactionId: run.next.id, type },
        new Date(run.next.deadline),
      );
      put(run.req, { ...run.next, awaitingReturn: { type, digest: returnDigest(binding) } });
      await commit(run.req, {});
      run.channel.goTo(run.res, action.url);
      return 'answered';
    },
    'return-to-tenant': async (action, run) => {
      put(run.req, run.next);
      if (run.next !== run.stored) await saveAfterTheFact(run.req, run.next);
      run.channel.goTo(run.res, action.url);
      return 'answered';
    },
    'show-finished': async (action, run) => {
      put(run.req, run.next);
      if (run.next !== run.stored) await saveAfterTheFact(run.req, run.next);
      run.res.status(200).render('finished', { returnHref: action.url, reason: action.reason ?? null });
      return 'answered';
    },
    refuse: async (action, run) => {
      put(run.req, run.next);
      if (run.next !== run.stored) await saveAfterTheFact(run.req, run.next);
      throw refusal(action.code);
    },
  };

  /** Runs the journey from `event` until it answers the request. */
  async function run(
    req: Request,
    res: Response,
    start: Interaction,
    first: JourneyEvent,
    options: RunOptions = {},
  ): Promise<void> {
    const state: Run = {
      req,
      res,
      options,
      channel: options.channel ?? PAGE_CHANNEL,
      claim: options.claim,
      stored: options.newSession === true ? undefined : start,
      before: start,
      next: start,
    };
    let event = first;
    for (let moves = 0; moves < (steps.length + 1) * MOVES_PER_STEP; moves++) {
      const { interaction: next, action } = journeyNext(state.before, event, plan, now().getTime());
      state.next = next;
      const moved = await (handlers[action.kind] as (action: JourneyAction, run: Run) => Promise<Moved>)(action, state);
      if (moved === 'answered') return;
      event = moved.event;
      state.before = moved.interaction;
    }
    throw new Error('the journey did not settle');
  }

  /** The interaction's current step; past the last one, the journey is over. */
  function stepAt(interaction: Interaction): Step {
    const step = steps[interaction.cursor];
    if (!step) throw refusal('interaction_finished');
    return step;
  }

  async function askStep(ask: AskStep, step: Step, ctx: StepContext): Promise<ActionResult> {
    try {
      return await ask(step, ctx);
    } catch (error) {
      if (error instanceof StepUnavailableError) throw hookError('step_unavailable');
      throw error;
    }
  }

  /** Whether the subject accepted this version before; when the ledger cannot answer, the step is simply shown. */
  async function acceptedBefore(req: Request, interaction: Interaction, step: Step): Promise<boolean> {
    try {
      if (interaction.subject === null || step.skipIfAcceptedVersion === undefined) return false;
      return await storage.ledger.hasAccepted(interaction.subject, step.id, step.skipIfAcceptedVersion);
    } catch (error) {
      req.log.warn(
        { err: error, interaction: interaction.id },
        'earlier acceptance could not be checked; showing the step',
      );
      return false;
    }
  }

  async function commit(req: Request, what: SessionCommit): Promise<void> {
    if ((await commitDecision(req, what)) === 'decided-before') throw refusal('interaction_finished');
  }

  /** The session with what must commit with it; a claim made before is the replayed link's page. */
  async function commitDecision(req: Request, what: SessionCommit): Promise<'committed' | 'decided-before'> {
    try {
      await saveSessionWith(req.session, what);
      return 'committed';
    } catch (error) {
      if (error instanceof CommitRefusedError) {
        if (error.reason === 'token_claimed') throw hookError('token_replayed');
        return 'decided-before';
      }
      req.log.error(
        { err: error },
        what.claim ? 'session token could not be claimed' : 'decision could not be recorded',
      );
      throw hookError('storage_unavailable', what.claim ? 'arrivalUnavailable' : 'storageUnavailable');
    }
  }

  async function decidedBefore(req: Request, interaction: Interaction, step: string): Promise<JourneyEvent> {
    const [decision, completion] = await readLedger(req, interaction, () =>
      Promise.all([
        storage.ledger.decisionFor(interaction.id, step),
        storage.ledger.completionFor(interaction.id, now()),
      ]),
    );
    req.log.info({ interaction: interaction.id, step, event: 'decided_before' }, 'step was decided before');
    return { kind: 'decided-before', decision, completion };
  }

  /** What the ledger answers; a ledger away is the "try again" page. */
  async function readLedger<T>(req: Request, interaction: Interaction, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      req.log.error({ err: error, interaction: interaction.id }, 'earlier decision could not be read');
      throw hookError('storage_unavailable');
    }
  }

  function decided(req: Request, interaction: Interaction, step: string, decision: Decision, after: Interaction): void {
    metrics.stepDecided(
      step,
      decision,
      (now().getTime() - (interaction.stepStartedAt ?? interaction.createdAt)) / 1000,
    );
    if (decision === 'already_accepted')
      req.log.info({ interaction: interaction.id, step, event: 'already_accepted' }, 'step skipped: accepted before');
    if (decision === 'skipped')
      req.log.info(
        { interaction: interaction.id, step, event: 'skipped' },
        "step skipped: its condition did not hold for the arrival's claims",
      );
    if (after.status === 'active') return;
    const ended = after.status === 'completed' ? 'completed' : after.status;
    req.log.info({ interaction: interaction.id, event: ended }, 'journey finished');
    metrics.journeyEnded(ended);
  }

  return { run, steps };
}

export type JourneyRunner = ReturnType<typeof journeyRunner>;
