import express, { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { csrfProtection } from '../web/csrf.js';
import { hookError } from '../web/error-codes.js';
import { noStore } from '../web/security-headers.js';
import { isInteractionId, type Interaction } from './interaction.js';
import { switchLanguageFromForm } from '../web/page-locals.js';
import { journeyAwaiting, journeyReturnedFrom, type JourneyEvent } from './journey.js';
import { refusal, type JourneyRunner } from './journey-runner.js';
import { ACTION_CHANNEL, askAction, askOnReturn, askToShowAgain, askWithForm } from './step-answers.js';
import type { FormInput } from './steps/step.js';

/**
 * The step pages (`GET` renders, `POST` decides), the steps' own JSON actions, and the way back from
 * another site. Added to `router` (the app gives the journey one router for all its routes).
 */
export function stepRoutes(deps: { runner: JourneyRunner }, router: Router = Router()): Router {
  const { runner } = deps;
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 100 });
  const json = express.json({ limit: '64kb', strict: true });

  // Before `/interaction/:id`: "return" is never an interaction id.
  router.get('/interaction/return/:type', noStore, async (req, res) => {
    const type = String(req.params.type);
    const returning = runner.steps.find((s) => s.type === type && s.returnFrom !== undefined);
    const binding = returning ? req.query[returning.returnParameter ?? 'state'] : undefined;
    // Any site can send this browser here, with any query (the cookie is SameSite=Lax): the
    // journey a return decides is the one of this session waiting with its value, or none.
    if (typeof binding !== 'string') throw refusal('return_unmatched');
    const interaction = journeyAwaiting(req.session.interactions, type, binding);
    if (!interaction) {
      // The same return again (a reload of it, the other app sending it twice): the journey's page.
      const handled = journeyReturnedFrom(req.session.interactions, type, binding);
      if (!handled) throw refusal('return_unmatched');
      res.redirect(303, `/interaction/${handled.id}`);
      return;
    }
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as FormInput;
    await runner.run(req, res, interaction, { kind: 'returned', type, binding }, { ask: askOnReturn(query) });
  });

  router.get('/interaction/:id', noStore, async (req, res) => {
    await runner.run(req, res, ownInteraction(req), { kind: 'visited' });
  });

  router.post('/interaction/:id', noStore, form, csrfProtection, async (req, res) => {
    const interaction = ownInteraction(req);
    const body = (req.body ?? {}) as FormInput;
    const posted: JourneyEvent = { kind: 'posted', step: typeof body.step === 'string' ? body.step : undefined };
    // The language switch of a page with errors: the page again in the new language, with what
    // was typed and the errors it still has; nothing is decided.
    const ask = switchLanguageFromForm(req, res) ? askToShowAgain(body) : askWithForm(body);
    await runner.run(req, res, interaction, posted, { ask, input: body });
  });

  // A step's own JSON endpoints, e.g. the two halves of a WebAuthn ceremony.
  router.post('/interaction/:id/:action', noStore, answersJson, json, csrfProtection, async (req, res) => {
    const interaction = ownInteraction(req);
    const name = String(req.params.action);
    const body = actionBody(req.body);
    await runner.run(
      req,
      res,
      interaction,
      { kind: 'posted' },
      { channel: ACTION_CHANNEL, input: body, ask: askAction(name, body) },
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
  if (!interaction) throw hookError('interaction_not_found');
  return interaction;
}

/** A step action's body: a JSON object (none: an empty one); anything else is a 400, and reaches no step. */
const actionBodySchema = z.record(z.string(), z.unknown());

function actionBody(value: unknown): FormInput {
  const parsed = actionBodySchema.safeParse(value ?? {});
  if (!parsed.success) throw hookError('request_invalid');
  return parsed.data;
}
