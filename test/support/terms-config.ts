import { createHash } from 'node:crypto';
import type { HookConfig } from '../../src/config/hook-config.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { termsStepType } from '../../src/interaction/steps/terms/index.js';

export interface TermsSpec {
  id?: string;
  version?: string;
  skipIfAccepted?: boolean;
  /** Language → exact text. */
  texts?: Record<string, string>;
}

/** A steps file of terms steps, built in memory (the loader is tested on its own). */
export function termsConfig(...specs: TermsSpec[]): HookConfig {
  return {
    issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined },
    steps: specs.map((spec, index) =>
      configureStep(termsStepType, {
        type: 'terms',
        id: spec.id ?? (index === 0 ? 'terms' : `terms-${index + 1}`),
        version: spec.version ?? '2026-11',
        greetingClaim: 'given_name',
        skipIfAccepted: spec.skipIfAccepted ?? false,
        documents: Object.fromEntries(
          Object.entries(spec.texts ?? { en: 'These are the terms.\n\nAccept them to go on.' }).map(([lang, text]) => [
            lang,
            { text, sha256: sha256(text), file: `memory:${lang}` },
          ]),
        ),
      }),
    ),
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
