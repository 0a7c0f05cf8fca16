import { defineStepType } from '../step-type.js';
import { passkeyMessages } from './messages.js';
import { relyingParty } from './passkey-ceremony.js';
import { passkeyCredentials } from './passkey-credentials.js';
import { PasskeyStep } from './passkey-step.js';
import { loadPasskey, passkeyEntry } from './schema.js';

/** Confirming the subject with a passkey (WebAuthn): enrolled on the first journey, used on every later one. */
export const passkeyStepType = defineStepType({
  type: 'passkey',
  schema: passkeyEntry,
  ports: ['subjectRecords', 'records'],
  verifiesPerson: true,
  load: loadPasskey,
  claimsRead: () => [],
  build: (config, services) =>
    new PasskeyStep(config, { rp: relyingParty(services.hookUrl, services.issuerName), passkeys: passkeyCredentials(services.subjectRecords), records: services.records, logger: services.logger }),
  messages: passkeyMessages,
});
