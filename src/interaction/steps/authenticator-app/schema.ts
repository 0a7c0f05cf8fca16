import { z } from 'zod';
import { enrolPolicy, type EnrolPolicy } from '../enrolment.js';
import { stepIdSchema, type StepConfigBase } from '../step-type.js';

/** The authenticator-app step's part of the steps file; unknown keys are refused. */
export const authenticatorAppEntry = z.strictObject({
  type: z.literal('authenticator-app'),
  id: stepIdSchema,
  /** The name the app lists the account under; the steps file's issuer name when left out. */
  issuerLabel: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[^:]+$/, 'an issuer label has no ":" (the app reads it as the end of the name)')
    .optional(),
  /** Digits per code: 6 is what every app shows; 8 only some. */
  digits: z.union([z.literal(6), z.literal(8)], { error: 'digits is 6 or 8' }).default(6),
  /** Seconds each code lasts. Most apps know only 30. */
  period: z
    .number()
    .int()
    .min(15, 'a period is at least 15 seconds')
    .max(120, 'a period is at most 120 seconds')
    .default(30),
  /** Periods either side of now whose codes are accepted too: for a phone whose clock is a little off. */
  window: z.number().int().min(0).max(3, 'a window of at most 3 periods either side').default(1),
  /** Wrong codes allowed in one journey; then the journey fails. */
  maxAttempts: z.number().int().min(1).max(10, 'at most 10 attempts: each one is a guess').default(5),
  /** Who may set up an app for a subject that has none here (enrolment.ts). */
  enrol: enrolPolicy,
});

export type AuthenticatorAppEntry = z.output<typeof authenticatorAppEntry>;

export interface AuthenticatorAppStepConfig extends StepConfigBase {
  type: 'authenticator-app';
  issuerLabel: string | undefined;
  digits: 6 | 8;
  period: number;
  window: number;
  maxAttempts: number;
  enrol: EnrolPolicy;
}

export function loadAuthenticatorApp(
  entry: AuthenticatorAppEntry,
  at: { id: string },
): { ok: true; config: AuthenticatorAppStepConfig } {
  const { issuerLabel, digits, period, window, maxAttempts, enrol } = entry;
  return {
    ok: true,
    config: { type: 'authenticator-app', id: at.id, issuerLabel, digits, period, window, maxAttempts, enrol },
  };
}
