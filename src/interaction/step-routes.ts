import express, { Router, type Request, type RequestHandler } from 'express';
import type { Storage } from '../storage/ports.js';
import { csrfProtection } from '../web/csrf.js';
import { HookError, PAGES } from '../web/hook-error.js';
import { noStore } from '../web/security-headers.js';
import { isInteractionId, returnDigest, type Interaction } from './interaction.js';
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
    const returning = runner.steps.find((s) => s.type === type && s.returnFrom !== undefined);
    const binding = returning ? req.query[returning.returnParameter ?? 'state'] : undefined;
    // Any site can send this browser here, with any query (the cookie is SameSite=Lax): only the
    // value a waiting journey of this session holds binds the return to it (RFC 6749 §10.12). A
    // return bound to none changes nothing, so the real one still completes.
    const interaction = typeof binding === 'string' && binding !== '' ? waitingFor(req, type, returnDigest(binding)) : undefined;
    if (!interaction || typeof binding !== 'string') throw new HookError('return_unmatched', 400, PAGES.returnUnmatched);
    // Single use: of two requests with one return (the page opened twice at once), one decides.
    const taken = await storage.stepRecords.take(RETURN_RECORD, binding, now());
    if (!isReturnRecord(taken) || taken.interactionId !== interaction.id || taken.type !== type) {
      res.redirect(303, `/interaction/${interaction.id}`);
      return;
    }
    const query = Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as FormInput;
    const handled = { ...interaction, awaitingReturn: undefined };
    (req.session.interactions ??= {})[interaction.id] = handled;
    await runner.run(
      req,
      res,
      handled,
      { kind: 'visited', method: 'POST' },
      {
        ask: async (step, ctx) => {
          if (step.type !== type || !step.returnFrom) return { kind: 'failed', message: 'The user came back to a step that did not send them away.', evidence: { returned: 'unexpected' } };
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

/** The journey of this session that waits for a return of `type` bound to the value with this digest. */
function waitingFor(req: Request, type: string, digest: string): Interaction | undefined {
  return Object.values(req.session.interactions ?? {}).find((i) => i.status === 'active' && i.awaitingReturn?.type === type && i.awaitingReturn.digest === digest);
}

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
