import type { Logger } from 'pino';
import { z } from 'zod';
import type { StepContext } from './step.js';
import type { StepDoctorCheck } from './step-type.js';

/**
 * Who may bind a new authenticator (a passkey, an authenticator app) to a subject that has none
 * here. `after-verification`: only once an earlier step of the same journey verified the person
 * (NIST SP 800-63B §6.1.2.1), so a token for the subject alone is not enough. `when-missing`:
 * whoever first arrives with a token for the subject (trust on first use). `never`: enrolment
 * happens elsewhere; a subject without one fails the step.
 */
export const enrolPolicy = z.enum(['after-verification', 'when-missing', 'never']).default('after-verification');

export type EnrolPolicy = z.output<typeof enrolPolicy>;

/** What the policy allows this journey, for a subject with nothing enrolled. */
export type Enrolment = 'allowed' | 'needs-verification' | 'never';

export function enrolmentFor(policy: EnrolPolicy, ctx: Pick<StepContext, 'verified'>): Enrolment {
  if (policy === 'never') return 'never';
  return policy === 'when-missing' || ctx.verified.steps.length > 0 ? 'allowed' : 'needs-verification';
}

/** How a step that enrols is named in the start-up warning and in `doctor`. */
export interface EnrollingStep {
  id: string;
  /** "a passkey", "an authenticator app". */
  what: string;
  /** Its docs page, for the fix. */
  docs: string;
}

/** At start-up: a warning for a step that enrols on first use (its `prepare`). */
export function warnIfFirstUse(policy: EnrolPolicy, step: EnrollingStep, logger: Logger): Promise<string[]> {
  if (policy === 'when-missing') logger.warn({ step: step.id }, firstUseWarning(step));
  return Promise.resolve([]);
}

/** What `doctor` says about who may enrol: a warning for enrolment on first use. */
export function enrolmentCheck(policy: EnrolPolicy, step: EnrollingStep): StepDoctorCheck {
  const name = `enrolment (${step.id})`;
  if (policy !== 'when-missing') return { name, status: 'ok', detail: `"enrol": "${policy}"` };
  return {
    name,
    status: 'warn',
    detail: firstUseWarning(step),
    fix: `use "enrol": "after-verification" with an email-code or oidc step before it (${step.docs})`,
  };
}

function firstUseWarning(step: EnrollingStep): string {
  return `step "${step.id}" enrols ${step.what} with "enrol": "when-missing": whoever first arrives with a token for a subject can bind ${step.what} of their own to it`;
}
