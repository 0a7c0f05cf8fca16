import { z } from 'zod';
import { defineStepType } from '../../src/interaction/steps/step-type.js';
import type { Step } from '../../src/interaction/steps/step.js';

/** Where the probe step sends the user "elsewhere": never reached, the test comes back by itself. */
export const PROBE_PROVIDER = 'https://provider.example/authorize';

/**
 * A step type that exists only in the tests: it proves that a step can own JSON actions and a
 * return route without the journey knowing what they do.
 */
export const probeStepType = defineStepType({
  type: 'probe',
  schema: z.object({ type: z.literal('probe'), id: z.string().optional() }),
  ports: [],
  verifiesPerson: false,
  load: (_entry, at) => ({ ok: true, config: { type: 'probe', id: at.id } }),
  claimsRead: () => [],
  build: (config): Step => ({
    id: config.id,
    type: 'probe',
    view: () => ({}),
    decide: () => ({ kind: 'declined', message: 'The user declined the probe.', evidence: {} }),
    actions: {
      echo: async (input, ctx) => ({
        kind: 'reply',
        status: 200,
        body: { seen: input.value ?? null, interaction: ctx.interactionId },
      }),
      finish: async (input) =>
        input.ok === true
          ? { kind: 'next', claims: { probed: 'yes' }, evidence: { via: 'action' } }
          : { kind: 'failed', message: 'The probe failed.', evidence: { via: 'action' } },
      away: async (_input, ctx) => ({ kind: 'leave', url: `${PROBE_PROVIDER}?response_code=${ctx.returnState}` }),
    },
    // Not OAuth's `state`: a wallet's answer, say, carries its binding in a parameter of its own.
    returnParameter: 'response_code',
    returnFrom: async (query) =>
      query.result === 'ok'
        ? { kind: 'next', claims: { probed: 'returned' }, evidence: { via: 'return' } }
        : { kind: 'failed', message: 'The provider said no.', evidence: { via: 'return' } },
  }),
  messages: { en: {}, fr: {} },
});
