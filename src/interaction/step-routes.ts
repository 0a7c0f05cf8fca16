import express, { Router, type Request, type RequestHandler } from 'express';
import type { Storage } from '../storage/ports.js';
import { csrfProtection } from '../web/csrf.js';
import { HookError, PAGES } from '../web/hook-error.js';
import { noStore } from '../web/security-headers.js';
import { isInteractionId, type Interaction } from './interaction.js';
import { switchLanguageFromForm } from '../web/page-locals.js';
import { RETURN_RECORD, type JourneyRunner } from './journey-runner.js';
import { ACTION_CHANNEL, askToShowAgain, askWithForm } from './step-answers.js';
import type { FormInput } from './steps/step.js';

/**
 * The step pages (`GET` renders, `POST` decides), the steps' own JSON actions, and the way back from
 * another site. Added to `router` (the app gives the journey one router for all its routes).
 */
export function stepRoutes(deps: { runner: JourneyRunner; storage: Storage; now: () => Date }, router: Router = Router()): Router {
  const { runner, storage, now } = deps;
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 });
  const json = express.json({ limit: '64kb', strict: true });

  // Before `/interaction/:id`: "return" is never an interaction id.
  router.get('/interaction/return/:type', noStore, async (req, res) => {
    const type = String(req.params.type);
    const state = typeof req.query.state === 'string' ? req.query.state : undefined;
    // The interaction comes from this browser's session: the query only names which of its journeys.
    const waiting = Object.values(req.session.interactions ?? {})
      .filter((i) => i.status === 'active' && i.awaitingReturn?.type === type)
      .sort((a, b) => b.createdAt - a.createdAt);
    const interaction = waiting.find((i) => i.awaitingReturn?.state === state) ?? waiting[0];
    const awaited = interaction?.awaitingReturn;
    if (!interaction || !awaited) throw new HookError('return_unknown', 400, PAGES.interactionNotFound);
    const taken = state === undefined ? null : await storage.stepRecords.take(RETURN_RECORD, state, now());
    const bound = isReturnRecord(taken) && taken.interactionId === interaction.id && taken.type === type;
    (req.session.interactions ??= {})[interaction.id] = { ...interaction, awaitingReturn: undefined };
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as FormInput;
    await runner.run(
      req,
      res,
      { ...interaction, awaitingReturn: undefined },
      { kind: 'visited', method: 'POST' },
      {
        ask: async (step, ctx) => {
          if (step.type !== awaited.type || !step.returnFrom) return { kind: 'failed', message: 'The user came back to a step that did not send them away.', evidence: { returned: 'unexpected' } };
          if (!bound)
            return { kind: 'failed', message: 'The return from the other site could not be matched to this journey (missing, wrong or replayed state).', evidence: { returned: 'state_mismatch' } };
          return step.returnFrom(query, ctx);
        },
      },
    );
  });

  router.get('/interaction/:id', noStore, async (req, res) => {
    await runner.run(req, res, ownInteraction(req), { kind: 'visited', method: 'GET' }, {});
  });

  router.post('/interaction/:id', noStore, form, csrfProtection, async (req, res) => {
    const interaction = ownInteraction(req);
    const body = (req.body ?? {}) as FormInput;
    const answered = body.step;
    const current = runner.steps[interaction.cursor];
    if (answered !== undefined && current !== undefined && answered !== current.id && interaction.status === 'active') {
      // A second click on a page the journey has already moved past: it must not answer the
      // step the user has not seen yet. Show where the journey stands.
      res.redirect(303, `/interaction/${interaction.id}`);
      return;
    }
    if (switchLanguageFromForm(req, res)) {
      // The language switch of a page with errors: the page again in the new language, with what
      // was typed and the errors it still has; nothing is decided.
      await runner.run(req, res, interaction, { kind: 'visited', method: 'POST' }, { ask: askToShowAgain(body), input: body });
      return;
    }
    await runner.run(req, res, interaction, { kind: 'visited', method: 'POST' }, { ask: askWithForm(body), input: body });
  });

  // A step's own JSON endpoints, e.g. the two halves of a WebAuthn ceremony.
  router.post('/interaction/:id/:action', noStore, answersJson, json, csrfProtection, async (req, res) => {
    const interaction = ownInteraction(req);
    const name = String(req.params.action);
    const body = (isObject(req.body) ? req.body : {}) as FormInput;
    await runner.run(
      req,
      res,
      interaction,
      { kind: 'visited', method: 'POST' },
      {
        channel: ACTION_CHANNEL,
        input: body,
        ask: async (step, ctx) => {
          const action = step.actions && Object.hasOwn(step.actions, name) ? step.actions[name] : undefined;
          if (!action) return { kind: 'reply', status: 404, body: { error: 'no_such_action' } };
          return action(body, ctx);
        },
      },
    );
  });

  return router;
}

/** Errors on this route are answered as JSON, for the page's script (web/error-pages.ts). */
const answersJson: RequestHandler = (_req, res, next) => {
  res.locals.answersJson = true;
  next();
};

/** The interaction named in the path, if it belongs to this session. */
function ownInteraction(req: Request): Interaction {
  const id = String(req.params.id);
  const interaction = isInteractionId(id) ? req.session.interactions?.[id] : undefined;
  if (!interaction) throw new HookError('interaction_not_found', 404, PAGES.interactionNotFound);
  return interaction;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isReturnRecord(value: unknown): value is { interactionId: string; type: string } {
  return isObject(value) && typeof value.interactionId === 'string' && typeof value.type === 'string';
}
