import { z } from 'zod';
import { stepIdSchema, type StepConfigBase } from '../step-type.js';

export const passkeyEntry = z.strictObject({
  type: z.literal('passkey'),
  id: stepIdSchema,
  /** Whether the authenticator must verify the user (PIN, fingerprint, face), as WebAuthn names it. */
  userVerification: z.enum(['required', 'preferred', 'discouraged']).default('required'),
  /** `when-missing`: a subject without a passkey here creates one; `never`: such a subject fails the step. */
  enrol: z.enum(['when-missing', 'never']).default('when-missing'),
});

export type PasskeyEntry = z.infer<typeof passkeyEntry>;

export interface PasskeyStepConfig extends StepConfigBase {
  type: 'passkey';
  userVerification: 'required' | 'preferred' | 'discouraged';
  enrol: 'when-missing' | 'never';
}

export function loadPasskey(entry: PasskeyEntry, at: { id: string }): { ok: true; config: PasskeyStepConfig } {
  return { ok: true, config: { type: 'passkey', id: at.id, userVerification: entry.userVerification, enrol: entry.enrol } };
}
