import { z } from 'zod';
import type { LedgerSettings } from '../interaction/journey-settings.js';

const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

const flag = (name: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '' || v === 'false' || v === '0') return false;
      if (v === 'true' || v === '1') return true;
      ctx.addIssue({ code: 'custom', message: `${name} must be true or false, got "${v}"` });
      return z.NEVER;
    });

/** The ledger's environment variables, merged into the settings schema. */
export const ledgerEnvironment = {
  LEDGER_SUBJECT_CLAIM: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || CLAIM_NAME.test(v), 'LEDGER_SUBJECT_CLAIM must be one claim name, e.g. email'),
  LEDGER_RECORD_IP: flag('LEDGER_RECORD_IP'),
  LEDGER_RECORD_USER_AGENT: flag('LEDGER_RECORD_USER_AGENT'),
  LEDGER_CLAIMS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const names = (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const name of names) {
        if (!CLAIM_NAME.test(name))
          ctx.addIssue({ code: 'custom', message: `LEDGER_CLAIMS: "${name}" is not a claim name` });
      }
      return [...new Set(names)];
    }),
};

type LedgerEnvironment = { [K in keyof typeof ledgerEnvironment]: z.output<(typeof ledgerEnvironment)[K]> };

export function ledgerSettings(v: LedgerEnvironment): LedgerSettings {
  return {
    subjectClaim: v.LEDGER_SUBJECT_CLAIM,
    recordIp: v.LEDGER_RECORD_IP,
    recordUserAgent: v.LEDGER_RECORD_USER_AGENT,
    claims: v.LEDGER_CLAIMS,
  };
}
