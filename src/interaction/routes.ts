import express, { Router, type Request, type Response } from 'express';
import type { Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { HookKeys } from '../mattr/hook-keys.js';
import { callbackPath } from '../mattr/hook-url.js';
import { returnUrl, signCompletion, signFailure, verifyArrival, type ArrivalRejection, type ArrivalResult } from '../mattr/session-token.js';
import type { Decision, Storage } from '../storage/storage.js';
import type { Settings } from '../config/settings.js';
import { CSRF_FIELD, csrfProtection, csrfToken } from '../web/csrf.js';
import { HookError, PAGES } from '../web/hook-error.js';
import type { Translate } from '../web/i18n.js';
import { arrivalRateLimit } from '../web/arrival-rate-limit.js';
import { noStore } from '../web/security-headers.js';
import { switchLanguageFromForm } from '../web/page-locals.js';
import { regenerateSession, saveSession } from '../web/sessions.js';
import { admitInteraction, isInteractionId, startInteraction, type Interaction } from './interaction.js';
import { NO_JOURNEY_METRICS, type JourneyMetrics } from './journey-metrics.js';
import { ledgerEntry, subjectOf } from './ledger-entry.js';
import type { Evidence, FormInput, Step, StepContext } from './steps/step.js';

export interface JourneyDeps {
  settings: Settings;
  steps: readonly Step[];
  storage: Storage;
  /** Current key signs and verifies; a previous key only verifies, during a rotation. Read on every request. */
  keys: HookKeys;
  /**
   * Asks the tenant for its secret again (management credentials only); `keys` then holds the
   * new one. Resolves, never rejects, also when it made no call.
   */
  refreshKeys?: () => Promise<unknown>;
  now: () => Date;
  logger: Logger;
  metrics?: JourneyMetrics;
  /** Where arrivals are counted for ARRIVAL_RATE_LIMIT (see AppDeps): this process's memory unless given. */
  arrivalStore?: Store;
}

/** The user's journey: arrival at the callback, one page per step, and the way back. */
export function journeyRoutes(deps: JourneyDeps): Router {
  const { settings, steps, storage, keys, now, logger } = deps;
  const metrics = deps.metrics ?? NO_JOURNEY_METRICS;
  const router = Router();

  router.get(callbackPath(settings.hookUrl), noStore, arrivalRateLimit(settings.arrivalRateLimit, logger, deps.arrivalStore), async (req, res) => {
    const result = await verifiedArrival(req.query.session_token);
    if (!result.ok) throw arrivalRefused(result.reason);
    const { arrival } = result;
    // Tokens are accepted until exp + tolerance, so the claim is kept at least as long.
    const keepUntil = new Date(arrival.expiresAt.getTime() + settings.clockToleranceSeconds * 1000);
    if (!(await claimToken(req, `token:${arrival.replayKey}`, keepUntil))) {
      throw new HookError('token_replayed', 409, PAGES.arrivalUsed);
    }
    const interaction = startInteraction({ ...arrival, subject: subjectOf(arrival, settings.ledger.subjectClaim) }, now(), settings.interactionTimeoutSeconds);
    await regenerateSession(req);
    req.session.interactions = admitInteraction(req.session.interactions, interaction, now());
    // The step page's CSRF token is made now, in the save that has to happen anyway: rendering the
    // page then changes nothing, and costs no durable write of its own.
    csrfToken(req);
    req.log.info({ interaction: interaction.id, event: 'arrived' }, 'journey started');
    metrics.journeyStarted();
    await goOn(req, res, interaction);
  });

  router.get('/interaction/:id', noStore, async (req, res) => {
    const interaction = await activeInteraction(req, res);
    renderStep(req, res, interaction, {}, 200);
  });

  router.post('/interaction/:id', noStore, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 }), csrfProtection, async (req, res) => {
    const interaction = await activeInteraction(req, res);
    const step = currentStep(interaction);
    const answered = (req.body as Record<string, unknown> | undefined)?.step;
    if (answered !== undefined && answered !== step.id) {
      // A second click on a page the journey has already moved past: it must not answer the
      // step the user has not seen yet. Show where the journey stands.
      res.redirect(303, `/interaction/${interaction.id}`);
      return;
    }
    if (switchLanguageFromForm(req, res)) {
      // The language switch of a page with errors: the page again in the new language, with
      // what was typed and the errors it still has; nothing is decided.
      const input = (req.body ?? {}) as Record<string, unknown>;
      const check = step.decide({ ...input, decision: undefined }, stepContext(res, interaction));
      const errors = 'invalid' in check ? check.invalid : {};
      renderStep(req, res, interaction, errors, Object.keys(errors).length > 0 ? 422 : 200, input);
      return;
    }
    const ctx = stepContext(res, interaction);
    const outcome = step.decide((req.body ?? {}) as Record<string, unknown>, ctx);
    if ('invalid' in outcome) {
      renderStep(req, res, interaction, outcome.invalid, 422, req.body as Record<string, unknown>);
      return;
    }
    const declined = 'fail' in outcome;
    // The row names what this step collected too (when LEDGER_CLAIMS lists it), though the
    // interaction takes it on only once the decision is recorded.
    const decided = 'next' in outcome ? { ...interaction, collected: { ...interaction.collected, ...outcome.next } } : interaction;
    if (!(await record(req, decided, step.id, declined ? 'declined' : 'accepted', outcome.evidence))) {
      // Decided before: that decision, not this submit, says how the journey goes on.
      await goOnFromEarlierDecision(req, interaction, step);
    } else if (declined) {
      await finish(req, res, interaction, 'declined', signFailure(signer(), { state: interaction.state, message: outcome.fail }));
      return;
    }
    // A decline that came after an acceptance has nothing to add: the acceptance stands.
    if ('next' in outcome) interaction.collected = { ...interaction.collected, ...outcome.next };
    interaction.cursor += 1;
    interaction.stepStartedAt = now().getTime();
    await goOn(req, res, interaction);
  });

  /**
   * Verifies with the keys held now. A signature no key matches may mean the tenant changed its
   * secret: the secret is asked for once (shared and rate-limited by `refreshKeys`), and when a
   * new key came in meanwhile the token is tried again, so the user never sees the change.
   */
  async function verifiedArrival(token: unknown): Promise<ArrivalResult> {
    const held = keys.generation;
    const first = await verifyWithHeldKeys(token);
    if (first.ok || first.reason !== 'token_bad_signature' || !deps.refreshKeys) return first;
    await deps.refreshKeys();
    return keys.generation === held ? first : verifyWithHeldKeys(token);
  }

  function verifyWithHeldKeys(token: unknown): Promise<ArrivalResult> {
    const at = now();
    return verifyArrival(token, {
      keys: keys.verifyKeys(at),
      tenantUrl: settings.tenantUrl,
      hookUrl: settings.hookUrl,
      allowedRedirectOrigins: settings.redirectOrigins,
      clockToleranceSeconds: settings.clockToleranceSeconds,
      now: at,
    });
  }

  /**
   * Moves past the steps this subject accepted before (`skipIfAccepted`), then shows the next
   * step, or — when none is left — sends the user back with the success token.
   */
  async function goOn(req: Request, res: Response, interaction: Interaction): Promise<void> {
    while (interaction.cursor < steps.length && (await skipAccepted(req, res, interaction))) interaction.cursor += 1;
    if (interaction.cursor < steps.length) {
      await saveSession(req);
      res.redirect(303, `/interaction/${interaction.id}`);
      return;
    }
    const token = signCompletion(signer(), { state: interaction.state, claims: interaction.collected, claimsToPersist: [] });
    await finish(req, res, interaction, 'completed', token);
  }

  /**
   * Whether the current step can be skipped because its subject accepted this version before;
   * if so, that is recorded first. When the ledger cannot answer, the step is simply shown.
   */
  async function skipAccepted(req: Request, res: Response, interaction: Interaction): Promise<boolean> {
    const step = currentStep(interaction);
    const version = step.skipIfAcceptedVersion;
    if (version === undefined || interaction.subject === null) return false;
    try {
      if (!(await storage.hasAccepted(interaction.subject, step.id, version))) return false;
      const evidence = step.evidence?.(stepContext(res, interaction)) ?? null;
      const recorded = await storage.recordDecision(ledgerEntry(req, interaction, step.id, 'already_accepted', evidence, { ledger: settings.ledger, at: now() }));
      if (recorded) req.log.info({ interaction: interaction.id, step: step.id, event: 'already_accepted' }, 'step skipped: accepted before');
      return recorded;
    } catch (error) {
      req.log.warn({ err: error, interaction: interaction.id }, 'earlier acceptance could not be checked; showing the step');
      return false;
    }
  }

  /**
   * Answers a submit on a step the ledger already has a decision for: a double submit, or a retry
   * after the session could not be saved behind that decision (so it still shows the step). Only
   * the first decision sends the user back, so on the last step the journey is over. Before it,
   * an acceptance lets this submit go on past the step — else the user would be shown the step
   * again, and refused again, forever — and any other decision ended the journey.
   */
  async function goOnFromEarlierDecision(req: Request, interaction: Interaction, step: Step): Promise<void> {
    if (interaction.cursor === steps.length - 1) throw new HookError('interaction_finished', 409, PAGES.interactionCompleted);
    let decision: Decision | null;
    try {
      decision = await storage.decisionFor(interaction.id, step.id);
    } catch (error) {
      req.log.error({ err: error, interaction: interaction.id }, 'earlier decision could not be read');
      throw new HookError('storage_unavailable', 503, PAGES.storageUnavailable);
    }
    if (decision === 'accepted' || decision === 'already_accepted') {
      req.log.info({ interaction: interaction.id, step: step.id, event: 'decided_before' }, 'step was decided before; going on');
      return;
    }
    if (decision === 'declined' || decision === 'expired') {
      // The session missed the end of the journey; from now on it shows that end without asking the ledger.
      interaction.status = decision;
      await saveSession(req).catch((error: unknown) => req.log.warn({ err: error, interaction: interaction.id }, 'finished journey could not be saved in the session'));
      throw decision === 'declined' ? new HookError('interaction_declined', 409, PAGES.interactionDeclined) : new HookError('interaction_expired', 410, PAGES.interactionExpired);
    }
    throw new HookError('interaction_finished', 409, PAGES.interactionCompleted);
  }

  /** The interaction named in the path, if it belongs to this session and can still go on. */
  async function activeInteraction(req: Request, res: Response): Promise<Interaction> {
    const id = String(req.params.id);
    const interaction = isInteractionId(id) ? req.session.interactions?.[id] : undefined;
    if (!interaction) throw new HookError('interaction_not_found', 404, PAGES.interactionNotFound);
    if (interaction.status === 'expired') throw new HookError('interaction_expired', 410, PAGES.interactionExpired);
    if (interaction.status === 'declined') throw new HookError('interaction_declined', 409, PAGES.interactionDeclined);
    if (interaction.status !== 'active') throw new HookError('interaction_finished', 409, PAGES.interactionCompleted);
    if (now().getTime() > interaction.deadline) {
      const step = currentStep(interaction);
      await record(req, interaction, step.id, 'expired', step.evidence?.(stepContext(res, interaction)) ?? null);
      interaction.status = 'expired';
      await saveSession(req);
      metrics.journeyEnded('expired');
      throw new HookError('interaction_expired', 410, PAGES.interactionExpired);
    }
    return interaction;
  }

  function currentStep(interaction: Interaction): Step {
    const step = steps[interaction.cursor];
    if (!step) throw new HookError('interaction_finished', 409, PAGES.interactionCompleted);
    return step;
  }

  function stepContext(res: Response, interaction: Interaction, input?: FormInput): StepContext {
    return { claims: interaction.claims, locale: String(res.locals.locale), t: res.locals.t as Translate, input };
  }

  function renderStep(req: Request, res: Response, interaction: Interaction, errors: Record<string, string>, status: number, input?: FormInput): void {
    const step = currentStep(interaction);
    res.status(status).render(`steps/${step.template}`, {
      ...step.view(stepContext(res, interaction, input)),
      interactionId: interaction.id,
      stepId: step.id,
      progress: { current: interaction.cursor + 1, total: steps.length },
      // The primary button of the last step says that it ends the journey.
      lastStep: interaction.cursor === steps.length - 1,
      csrf: { field: CSRF_FIELD, token: csrfToken(req) },
      errors,
    });
  }

  /** Durably appends the decision before anything is sent; false when it was already decided. */
  async function record(req: Request, interaction: Interaction, step: string, decision: Decision, evidence: Evidence | null): Promise<boolean> {
    try {
      const recorded = await storage.recordDecision(ledgerEntry(req, interaction, step, decision, evidence, { ledger: settings.ledger, at: now() }));
      if (recorded) metrics.stepDecided(step, decision, (now().getTime() - (interaction.stepStartedAt ?? interaction.createdAt)) / 1000);
      return recorded;
    } catch (error) {
      req.log.error({ err: error, interaction: interaction.id }, 'decision could not be recorded');
      throw new HookError('storage_unavailable', 503, PAGES.storageUnavailable);
    }
  }

  /**
   * Claims a token once; a storage failure leaves it unclaimed, so a reload can still use it. The
   * token is spent only while the whole storage answers (the sessions may live elsewhere than the
   * claims): an outage then costs the user a retry, not their single-use link.
   */
  async function claimToken(req: Request, key: string, until: Date): Promise<boolean> {
    try {
      await storage.ping();
      return await storage.claimOnce(key, until);
    } catch (error) {
      req.log.error({ err: error }, 'session token could not be claimed');
      throw new HookError('storage_unavailable', 503, PAGES.arrivalUnavailable);
    }
  }

  /**
   * Sends the user back. The decision is already in the ledger, which alone guarantees a single
   * redirect, so a session that cannot be saved now does not hold the user back.
   */
  async function finish(req: Request, res: Response, interaction: Interaction, status: 'completed' | 'declined', token: Promise<string>): Promise<void> {
    const url = returnUrl(interaction.redirectUrl, await token);
    interaction.status = status;
    await saveSession(req).catch((error: unknown) => req.log.warn({ err: error, interaction: interaction.id }, 'finished journey could not be saved in the session'));
    req.log.info({ interaction: interaction.id, event: status }, 'journey finished');
    metrics.journeyEnded(status);
    res.redirect(303, url);
  }

  function signer() {
    return { key: keys.current, hookUrl: settings.hookUrl, tenantUrl: settings.tenantUrl, now: now() };
  }

  return router;
}

const ARRIVAL_PAGES: Record<ArrivalRejection, { status: number; page: (typeof PAGES)[keyof typeof PAGES] }> = {
  token_missing: { status: 400, page: PAGES.arrivalMissing },
  token_expired: { status: 401, page: PAGES.arrivalExpired },
  token_malformed: { status: 400, page: PAGES.arrivalInvalid },
  token_bad_signature: { status: 401, page: PAGES.arrivalInvalid },
  token_bad_algorithm: { status: 401, page: PAGES.arrivalInvalid },
  token_not_yet_valid: { status: 401, page: PAGES.arrivalInvalid },
  token_wrong_issuer: { status: 401, page: PAGES.arrivalInvalid },
  token_wrong_audience: { status: 401, page: PAGES.arrivalInvalid },
  token_missing_exp: { status: 401, page: PAGES.arrivalInvalid },
  token_missing_state: { status: 400, page: PAGES.arrivalInvalid },
  token_missing_redirect: { status: 400, page: PAGES.arrivalInvalid },
  redirect_not_allowed: { status: 400, page: PAGES.arrivalInvalid },
};

function arrivalRefused(reason: ArrivalRejection): HookError {
  const { status, page } = ARRIVAL_PAGES[reason];
  return new HookError(reason, status, page);
}
