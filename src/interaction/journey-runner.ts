import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { HookKeys } from '../mattr/hook-keys.js';
import { COMPLETION_LIFETIME_SECONDS, returnUrl, signCompletion, signFailure } from '../mattr/session-token.js';
import type { SessionCommit, Storage } from '../storage/ports.js';
import { CommitRefusedError, type Completion, type Decision } from './model.js';
import { saveSessionWith } from '../storage/session-commit.js';
import { HookError, PAGES } from '../web/hook-error.js';
import { returnDigest, type Interaction } from './interaction.js';
import { PAGE_CHANNEL, type AskStep, type Channel } from './step-answers.js';
import { stepPages } from './step-page.js';
import { journeyNext, type Finish, type JourneyEvent, type JourneyPlan, type Refusal } from './journey.js';
import type { JourneyMetrics } from './journey-metrics.js';
import type { JourneySettings } from './journey-settings.js';
import { ledgerEntry } from './ledger-entry.js';
import { StepUnavailableError, type ActionResult, type FormInput, type Step, type StepContext } from './steps/step.js';

export interface RunnerDeps {
  settings: JourneySettings;
  steps: readonly Step[];
  storage: Storage;
  keys: HookKeys;
  now: () => Date;
  logger: Logger;
  metrics: JourneyMetrics;
}

/** Where each refusal leads: the page and status the user sees. */
const REFUSALS: Record<Refusal, HookError> = {
  interaction_finished: new HookError('interaction_finished', 409, PAGES.interactionCompleted),
  interaction_declined: new HookError('interaction_declined', 409, PAGES.interactionDeclined),
  interaction_failed: new HookError('interaction_failed', 409, PAGES.interactionFailed),
  interaction_expired: new HookError('interaction_expired', 410, PAGES.interactionExpired),
};

/** The step records that bind a return from another site to its interaction. */
export const RETURN_RECORD = 'return';

/** Room for every step to be skipped, committed and shown: a journey that runs longer is a bug. */
const MOVES_PER_STEP = 4;

/**
 * Carries out what the journey (journey.ts) asks, in the order it asks, through the storage ports:
 * the one place where a decision becomes durable before the user is sent anywhere.
 */
export function journeyRunner(deps: RunnerDeps) {
  const { settings, steps, storage, keys, now, metrics } = deps;
  const plan: JourneyPlan = { steps: steps.map((s) => ({ id: s.id, skippable: s.skipIfAcceptedVersion !== undefined })) };

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
    return { interactionId: interaction.id, url: returnUrl(interaction.redirectUrl, token), expiresAt: signer.now.getTime() + COMPLETION_LIFETIME_SECONDS * 1000 };
  }

  /** The session saved when the request changed it; a failure only logged, for moves that need it no more. */
  async function saveAfterTheFact(req: Request, interaction: Interaction): Promise<void> {
    await saveSessionWith(req.session).catch((error: unknown) => req.log.warn({ err: error, interaction: interaction.id }, 'finished journey could not be saved in the session'));
  }

  /**
   * Runs the journey from `event` until it answers the request. `claim`: the arrival's token
   * claim, committed with the first save. `ask`: how the current step answers on this request.
   */
  async function run(
    req: Request,
    res: Response,
    start: Interaction,
    first: JourneyEvent,
    options: { ask?: AskStep; input?: FormInput; claim?: SessionCommit['claim']; channel?: Channel; newSession?: boolean },
  ): Promise<void> {
    const channel = options.channel ?? PAGE_CHANNEL;
    let claim = options.claim;
    // What the session store holds now: a move that changed nothing since needs no second write.
    let stored: Interaction | undefined = options.newSession === true ? undefined : start;
    let interaction = start;
    let event = first;
    let asked: StepContext | undefined;
    for (let moves = 0; moves < (steps.length + 1) * MOVES_PER_STEP; moves++) {
      const { interaction: next, action } = journeyNext(interaction, event, plan, now().getTime());
      const step = steps[interaction.cursor];
      switch (action.kind) {
        case 'show-step':
          await render(req, res, next, 200, {}, {});
          return;
        case 'show-again':
          await render(req, res, next, action.status, action.errors, action.view, options.input);
          return;
        case 'run-step': {
          if (!step || !options.ask) throw new HookError('request_invalid', 400, PAGES.requestInvalid);
          asked = stepContext(req, res, next, options.input);
          const result = await askStep(options.ask, step, asked);
          if (result.kind === 'reply') {
            channel.reply(res, result.status, result.body);
            return;
          }
          event = { kind: 'answered', outcome: result };
          interaction = next;
          continue;
        }
        case 'check-acceptance':
          event = { kind: 'acceptance-checked', acceptedBefore: await acceptedBefore(req, next, stepAt(next)) };
          interaction = next;
          continue;
        case 'go-to-step':
          put(req, next);
          if (claim || next !== stored) await commit(req, { claim });
          channel.goTo(res, `/interaction/${next.id}`);
          return;
        case 'commit': {
          const ctx = stepContext(req, res, next);
          const record =
            action.decision === null
              ? undefined
              : ledgerEntry(req, next, action.step, action.decision, action.evidence ?? step?.evidence?.(ctx) ?? null, { ledger: settings.ledger, at: now(), locale: ctx.locale });
          const completion = action.finish ? await signed(next, action.finish) : undefined;
          const committed: Interaction = completion ? { ...next, completion: { url: completion.url, expiresAt: completion.expiresAt } } : next;
          put(req, committed);
          let outcome: 'committed' | 'decided-before';
          try {
            outcome = await commitDecision(req, { claim, decision: record, completion });
          } catch (error) {
            // A skip that cannot be recorded is no reason to stop the user: the step is shown instead.
            if (action.decision !== 'already_accepted' || !(error instanceof HookError) || error.code !== 'storage_unavailable') throw error;
            req.log.warn({ interaction: interaction.id, step: action.step }, 'earlier acceptance could not be recorded; showing the step');
            put(req, interaction);
            event = { kind: 'acceptance-checked', acceptedBefore: false };
            continue;
          }
          claim = undefined;
          if (outcome === 'decided-before') {
            put(req, interaction);
            event = await decidedBefore(req, interaction, action.step);
            continue;
          }
          if (action.decision !== null) decided(req, interaction, action.step, action.decision, committed);
          event = { kind: 'committed', decision: action.decision };
          interaction = committed;
          stored = committed;
          continue;
        }
        case 'leave': {
          // Single use: the return takes this record, so of two returns with one state only one goes on.
          if (!asked) throw new Error('a step sent the user away without being asked');
          const { type } = stepAt(next);
          const state = asked.returnState;
          await storage.stepRecords.put(RETURN_RECORD, state, { interactionId: next.id, type }, new Date(next.deadline));
          put(req, { ...next, awaitingReturn: { type, digest: returnDigest(state) } });
          await commit(req, {});
          channel.goTo(res, action.url);
          return;
        }
        case 'return-to-tenant':
          put(req, next);
          if (next !== stored) await saveAfterTheFact(req, next);
          channel.goTo(res, action.url);
          return;
        case 'refuse':
          put(req, next);
          if (next !== stored) await saveAfterTheFact(req, next);
          throw REFUSALS[action.code];
      }
    }
    throw new Error('the journey did not settle');
  }

  /** The interaction's current step; past the last one, the journey is over. */
  function stepAt(interaction: Interaction): Step {
    const step = steps[interaction.cursor];
    if (!step) throw REFUSALS.interaction_finished;
    return step;
  }

  async function askStep(ask: AskStep, step: Step, ctx: StepContext): Promise<ActionResult> {
    try {
      return await ask(step, ctx);
    } catch (error) {
      if (error instanceof StepUnavailableError) throw new HookError('step_unavailable', 503, PAGES.stepUnavailable);
      throw error;
    }
  }

  /** Whether the subject accepted this version before; when the ledger cannot answer, the step is simply shown. */
  async function acceptedBefore(req: Request, interaction: Interaction, step: Step): Promise<boolean> {
    try {
      if (interaction.subject === null || step.skipIfAcceptedVersion === undefined) return false;
      return await storage.ledger.hasAccepted(interaction.subject, step.id, step.skipIfAcceptedVersion);
    } catch (error) {
      req.log.warn({ err: error, interaction: interaction.id }, 'earlier acceptance could not be checked; showing the step');
      return false;
    }
  }

  async function commit(req: Request, what: SessionCommit): Promise<void> {
    if ((await commitDecision(req, what)) === 'decided-before') throw REFUSALS.interaction_finished;
  }

  /** The session with what must commit with it; a claim made before is the replayed link's page. */
  async function commitDecision(req: Request, what: SessionCommit): Promise<'committed' | 'decided-before'> {
    try {
      await saveSessionWith(req.session, what);
      return 'committed';
    } catch (error) {
      if (error instanceof CommitRefusedError) {
        if (error.reason === 'token_claimed') throw new HookError('token_replayed', 409, PAGES.arrivalUsed);
        return 'decided-before';
      }
      req.log.error({ err: error }, what.claim ? 'session token could not be claimed' : 'decision could not be recorded');
      throw new HookError('storage_unavailable', 503, what.claim ? PAGES.arrivalUnavailable : PAGES.storageUnavailable);
    }
  }

  async function decidedBefore(req: Request, interaction: Interaction, step: string): Promise<JourneyEvent> {
    try {
      const [decision, completion] = await Promise.all([storage.ledger.decisionFor(interaction.id, step), storage.ledger.completionFor(interaction.id, now())]);
      req.log.info({ interaction: interaction.id, step, event: 'decided_before' }, 'step was decided before');
      return { kind: 'decided-before', decision, completion };
    } catch (error) {
      req.log.error({ err: error, interaction: interaction.id }, 'earlier decision could not be read');
      throw new HookError('storage_unavailable', 503, PAGES.storageUnavailable);
    }
  }

  function decided(req: Request, interaction: Interaction, step: string, decision: Decision, after: Interaction): void {
    metrics.stepDecided(step, decision, (now().getTime() - (interaction.stepStartedAt ?? interaction.createdAt)) / 1000);
    if (decision === 'already_accepted') req.log.info({ interaction: interaction.id, step, event: 'already_accepted' }, 'step skipped: accepted before');
    if (after.status === 'active') return;
    const ended = after.status === 'completed' ? 'completed' : after.status;
    req.log.info({ interaction: interaction.id, event: ended }, 'journey finished');
    metrics.journeyEnded(ended);
  }

  return { run, stepContext, steps };
}

export type JourneyRunner = ReturnType<typeof journeyRunner>;
