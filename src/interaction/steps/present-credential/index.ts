import { defineStepType } from '../step-type.js';
import { presentCredentialDoctor } from './doctor.js';
import { presentCredentialMessages } from './messages.js';
import { PresentCredentialStep } from './present-step.js';
import { loadPresentCredential, presentCredentialSchema } from './schema.js';

/** Present a credential from the wallet (OpenID4VP 1.0, SD-JWT VC or ISO mdoc): the hook verifies one the person already holds. */
export const presentCredentialStepType = defineStepType({
  type: 'present-credential',
  schema: presentCredentialSchema,
  ports: ['records'],
  verifiesPerson: true,
  load: loadPresentCredential,
  claimsRead: (config) => (config.matchClaim ? [config.matchClaim.session] : []),
  claimsCollected: (config) => Object.values(config.collect),
  build: (config, services) => new PresentCredentialStep(config, services),
  async prepare(config, services) {
    if (config.identity.prefix === 'redirect_uri')
      services.logger.warn(
        { step: config.id },
        `step "${config.id}" sends unsigned requests (clientId "redirect_uri:"): acceptable only for a hook on this machine`,
      );
    return [];
  },
  doctor: async (config, { hookUrl }) => presentCredentialDoctor(config, hookUrl),
  messages: presentCredentialMessages,
});
