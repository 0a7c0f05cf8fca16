import { z } from 'zod';
import { claimNameSchema, stepIdSchema, type StepConfigBase } from '../step-type.js';

/** The email-code step's part of the steps file. */
export const emailCodeEntry = z.strictObject({
  type: z.literal('email-code'),
  id: stepIdSchema,
  /** The session token's claim that holds the address to send the code to. */
  emailClaim: claimNameSchema.default('email'),
  /** How long a code works once sent. */
  codeTtlSeconds: z
    .number()
    .int()
    .min(60, 'a code lives at least 60 seconds')
    .max(3600, 'a code lives at most 3600 seconds')
    .default(600),
  /** Wrong codes allowed in one journey, across every code sent in it; then the journey fails. */
  maxAttempts: z.number().int().min(1).max(10, 'at most 10 attempts: each one is a guess').default(5),
  /** The least time between two codes sent to the user. */
  resendIntervalSeconds: z.number().int().min(10, 'at least 10 seconds between two codes').max(600).default(30),
  /** Codes sent in one journey at most: each one is a mail to an address the hook cannot vouch for yet. */
  maxSends: z.number().int().min(1).max(20, 'at most 20 codes per journey').default(5),
});

export type EmailCodeEntry = z.output<typeof emailCodeEntry>;

export interface EmailCodeStepConfig extends StepConfigBase {
  type: 'email-code';
  emailClaim: string;
  codeTtlSeconds: number;
  maxAttempts: number;
  resendIntervalSeconds: number;
  maxSends: number;
}

export function loadEmailCode(entry: EmailCodeEntry, id: string): EmailCodeStepConfig {
  const { emailClaim, codeTtlSeconds, maxAttempts, resendIntervalSeconds, maxSends } = entry;
  return { type: 'email-code', id, emailClaim, codeTtlSeconds, maxAttempts, resendIntervalSeconds, maxSends };
}
