import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { noStore } from '../web/security-headers.js';
import type { FormInput, PublicAnswer, PublicEndpoints, Step } from './steps/step.js';

/** What a wallet may post at once: a presentation with many disclosures fits many times over. */
const BODY_LIMIT = '256kb';
/** Requests per client IP per minute to all public endpoints: a wallet makes two or three a try. */
const PER_MINUTE = 60;

/**
 * The steps' public endpoints (`/interaction/<prefix>/<key>/<name>`), for software that has no
 * session with the hook (a wallet fetching a request, posting a presentation). Mounted before the
 * sessions: no cookie is read or set. Errors are the OAuth error JSON those clients understand.
 */
export function publicEndpointRoutes(deps: { steps: readonly Step[]; logger: Logger; now: () => Date }): Router {
  const router = Router();
  const endpoints = new Map<string, PublicEndpoints>();
  for (const step of deps.steps)
    if (step.publicEndpoints) endpoints.set(step.publicEndpoints.prefix, step.publicEndpoints);
  const limit = rateLimit({
    windowMs: 60_000,
    limit: PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) =>
      void res.status(429).json({ error: 'temporarily_unavailable', error_description: 'too many requests' }),
  });
  const form = express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 20 });
  const answer = (endpoint: PublicEndpoints) => async (req: Request, res: Response) => {
    const method = req.method === 'POST' ? 'POST' : 'GET';
    const body = (method === 'POST' ? (req.body ?? {}) : req.query) as FormInput;
    send(
      res,
      await endpoint.handle({
        method,
        key: String(req.params.key),
        name: String(req.params.name),
        body,
        now: deps.now(),
      }),
    );
  };
  const failed: ErrorRequestHandler = (error: { status?: number }, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({
        error: 'invalid_request',
        error_description: error.status === 413 ? 'the request is too large' : 'the request is not a form',
      });
      return;
    }
    // The storage away, most likely: the wallet may try again; nothing was decided.
    deps.logger.error({ err: error }, 'public endpoint failed');
    res.status(503).json({ error: 'temporarily_unavailable' });
  };
  for (const [prefix, endpoint] of endpoints) {
    router.get(`/interaction/${prefix}/:key/:name`, noStore, limit, answer(endpoint));
    router.post(`/interaction/${prefix}/:key/:name`, noStore, limit, form, answer(endpoint));
  }
  router.use(failed);
  return router;
}

function send(res: Response, answer: PublicAnswer): void {
  if ('json' in answer) res.status(answer.status).json(answer.json);
  else res.status(answer.status).type(answer.contentType).send(answer.text);
}
