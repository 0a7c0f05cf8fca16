import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { JourneySettings } from './journey-settings.js';
import { CSRF_FIELD, csrfToken } from '../web/csrf.js';
import { hookError } from '../web/error-codes.js';
import type { Translate } from '../web/i18n.js';
import type { Interaction } from './interaction.js';
import { planProgress } from './journey.js';
import { NOT_VERIFIED } from './model.js';
import type { FormInput, Step, StepContext } from './steps/step.js';

/** What a step sees of the request, and its page as the step's template draws it. */
export function stepPages(deps: {
  settings: Pick<JourneySettings, 'hookUrl'>;
  steps: readonly Step[];
  now: () => Date;
}) {
  const { settings, steps, now } = deps;
  const hookOrigin = new URL(settings.hookUrl).origin;
  const stepIds = steps.map((step) => step.id);

  function stepContext(res: Response, interaction: Interaction, input?: FormInput): StepContext {
    let returnState: string | undefined;
    return {
      interactionId: interaction.id,
      claims: interaction.claims,
      subject: interaction.subject,
      locale: String(res.locals.locale),
      t: res.locals.t as Translate,
      now: now(),
      input,
      isLast: planProgress(interaction, stepIds).isLast,
      // Made only for a step that asks for it (one that sends the user away), then the same each time.
      get returnState() {
        returnState ??= randomBytes(24).toString('base64url');
        return returnState;
      },
      hookOrigin,
      verified: interaction.verified ?? NOT_VERIFIED,
    };
  }

  async function render(
    req: Request,
    res: Response,
    interaction: Interaction,
    status: number,
    errors: Record<string, string>,
    extra: Record<string, unknown>,
    input?: FormInput,
  ): Promise<void> {
    const step = steps[interaction.cursor];
    if (!step) throw hookError('interaction_finished');
    const view = await step.view(stepContext(res, interaction, input));
    // "Step n of m" counts the steps the plan runs; steps it skips are neither counted nor shown.
    const { current, total, isLast } = planProgress(interaction, stepIds);
    res.status(status).render(`steps/${step.type}`, {
      ...view,
      ...extra,
      interactionId: interaction.id,
      stepId: step.id,
      // The primary button of the last step says that it ends the journey.
      isLast,
      progress: { current, total },
      whose: whoseJourney(interaction),
      csrf: { field: CSRF_FIELD, token: csrfToken(req) },
      errors,
      // A page that shows what was typed keeps it across a language switch (partials/page-top.ejs).
      showsTyped: input !== undefined,
    });
  }

  return { stepContext, render };
}

/**
 * Whom the journey is for, as the tenant's token says (its name, else its address, else the
 * subject): shown on every step page, so that a journey someone else sent to this browser is
 * seen for what it is. An address is shown masked, as the email-code page shows it: enough for
 * its owner to know it, not to read it off someone else's screen.
 */
function whoseJourney(interaction: Pick<Interaction, 'claims' | 'subject'>): string | null {
  const { name, given_name: given, family_name: family, email } = interaction.claims;
  const full = [given, family]
    .filter((part): part is string => typeof part === 'string' && part.trim() !== '')
    .join(' ');
  for (const candidate of [name, full, email, interaction.subject]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return masked(candidate.trim()).slice(0, 100);
  }
  return null;
}

function masked(text: string): string {
  const at = text.lastIndexOf('@');
  if (at < 1) return text;
  const [first] = Array.from(text.slice(0, at));
  return `${first ?? ''}•••${text.slice(at)}`;
}
