import type { Response } from 'express';
import type { ActionResult, FormInput, Step, StepContext } from './steps/step.js';

/** How the current step is asked for its answer on this request: a form, an action, or a return. */
export type AskStep = (step: Step, ctx: StepContext) => Promise<ActionResult>;

/** How this request answers: a page (HTML, 303s) or an action (JSON). */
export interface Channel {
  /** A 303 to `url` (a page), or `{ location }` for the page's script (an action). */
  goTo(res: Response, url: string): void;
  reply(res: Response, status: number, body: Record<string, unknown>): void;
}

export const PAGE_CHANNEL: Channel = {
  goTo: (res, url) => res.redirect(303, url),
  reply: (res, status, body) => res.status(status).json(body),
};

export const ACTION_CHANNEL: Channel = {
  goTo: (res, url) => res.status(200).json({ location: url }),
  reply: (res, status, body) => res.status(status).json(body),
};

/** A step's answer to a posted form. */
export const askWithForm =
  (input: FormInput): AskStep =>
  async (step, ctx) =>
    step.decide(input, ctx);

/** The step's page again with what was typed and the errors it still has, deciding nothing. */
export const askToShowAgain =
  (input: FormInput): AskStep =>
  async (step, ctx) => {
    const check = await step.decide({ ...input, decision: undefined }, ctx);
    const errors = check.kind === 'again' ? check.errors : {};
    return { kind: 'again', status: Object.keys(errors).length > 0 ? 422 : 200, errors, keepsTyped: true };
  };

/** A step's own JSON action `name`. */
export const askAction =
  (name: string, input: FormInput): AskStep =>
  async (step, ctx) => {
    const action = step.actions && Object.hasOwn(step.actions, name) ? step.actions[name] : undefined;
    if (!action) return { kind: 'reply', status: 404, body: { error: 'no_such_action' } };
    return action(input, ctx);
  };

/** The step's answer to the return from the other site it sent the user to. */
export const askOnReturn =
  (query: FormInput): AskStep =>
  async (step, ctx) => {
    if (!step.returnFrom)
      return {
        kind: 'failed',
        message: 'The user came back to a step that did not send them away.',
        evidence: { returned: 'unexpected' },
      };
    return step.returnFrom(query, ctx);
  };
