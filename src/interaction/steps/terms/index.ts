import { defineStepType } from '../step-type.js';
import { termsMessages } from './messages.js';
import { publishTerms } from './publish.js';
import { loadTerms, termsEntry } from './schema.js';
import { TermsStep } from './terms-step.js';

/** Communicating the terms: a versioned text the user accepts or declines, proven in the ledger. */
export const termsStepType = defineStepType({
  type: 'terms',
  schema: termsEntry,
  ports: ['terms'],
  verifiesPerson: false,
  load: loadTerms,
  claimsRead: (config) => (config.greetingClaim === undefined ? [] : [config.greetingClaim]),
  build: (config) => new TermsStep(config),
  prepare: (config, services) => publishTerms(services.terms, config),
  messages: termsMessages,
});
