import { enrolmentCheck, warnIfFirstUse } from '../enrolment.js';
import { smtpMailer } from '../email-code/code-mailer.js';
import { noticeMailEnvironment } from '../factor-added-mail.js';
import { defineStepType } from '../step-type.js';
import { passkeyMessages } from './messages.js';
import { relyingParty } from './passkey-ceremony.js';
import { passkeyCredentials } from './passkey-credentials.js';
import { PasskeyStep } from './passkey-step.js';
import { loadPasskey, passkeyEntry, type PasskeyStepConfig } from './schema.js';

const named = (config: PasskeyStepConfig) => ({ id: config.id, what: 'a passkey', docs: 'docs/step-passkey.md' });

/** Confirming the subject with a passkey (WebAuthn): enrolled once the person is verified, used on every later journey. */
export const passkeyStepType = defineStepType({
  type: 'passkey',
  schema: passkeyEntry,
  ports: ['subjectRecords', 'records'],
  // A passkey used verifies the person; one just created does not (the step's outcome says so).
  verifiesPerson: true,
  load: loadPasskey,
  claimsRead: () => [],
  // Only to mail "a passkey was added" to an address an email-code step confirmed.
  environment: noticeMailEnvironment,
  build: (config, services) =>
    new PasskeyStep(config, {
      rp: relyingParty(services.hookUrl, services.issuerName),
      passkeys: passkeyCredentials(services.subjectRecords),
      records: services.records,
      logger: services.logger,
      notice: { mailer: services.settings ? smtpMailer(services.settings) : null, logger: services.logger },
    }),
  prepare: (config, services) => warnIfFirstUse(config.enrol, named(config), services.logger),
  doctor: (config) => Promise.resolve([enrolmentCheck(config.enrol, named(config))]),
  messages: passkeyMessages,
});
