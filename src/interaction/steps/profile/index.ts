import { defineStepType } from '../step-type.js';
import { profileMessages } from './messages.js';
import { profileStepSchema, type ProfileStepConfig } from './profile-schema.js';
import { ProfileStep } from './profile-step.js';

/** Gathering more information: fields from the steps file, returned under their claim names. */
export const profileStepType = defineStepType({
  type: 'profile',
  schema: profileStepSchema,
  ports: [],
  verifiesPerson: false,
  load: (entry, at) => ({
    ok: true,
    config: {
      type: 'profile',
      id: at.id,
      title: entry.title,
      intro: entry.intro,
      fields: entry.fields,
    } satisfies ProfileStepConfig,
  }),
  claimsRead: (config) =>
    config.fields.flatMap((field) => (field.prefillClaim === undefined ? [] : [field.prefillClaim])),
  claimsCollected: (config) => config.fields.map((field) => field.claim),
  build: (config) => new ProfileStep(config),
  messages: profileMessages,
});
