import { z } from 'zod';
import { enrolPolicy, type EnrolPolicy } from '../enrolment.js';
import { stepIdSchema, type StepConfigBase } from '../step-type.js';

export const passkeyEntry = z.strictObject({
  type: z.literal('passkey'),
  id: stepIdSchema,
  /** Whether the authenticator must verify the user (PIN, fingerprint, face), as WebAuthn names it. */
  userVerification: z.enum(['required', 'preferred', 'discouraged']).default('required'),
  /** Who may create a passkey for a subject that has none here (enrolment.ts). */
  enrol: enrolPolicy,
});

export type PasskeyEntry = z.infer<typeof passkeyEntry>;

export interface PasskeyStepConfig extends StepConfigBase {
  type: 'passkey';
  userVerification: 'required' | 'preferred' | 'discouraged';
  enrol: EnrolPolicy;
}

export function loadPasskey(entry: PasskeyEntry, at: { id: string }): { ok: true; config: PasskeyStepConfig } {
  return {
    ok: true,
    config: { type: 'passkey', id: at.id, userVerification: entry.userVerification, enrol: entry.enrol },
  };
}
