import { defineStepType } from '../step-type.js';
import { smtpMailer } from './code-mailer.js';
import { codeRecords } from './code-record.js';
import { EmailCodeStep } from './email-code-step.js';
import { readMailSettings } from './mail-settings.js';
import { emailCodeMessages } from './messages.js';
import { emailCodeEntry, loadEmailCode, type EmailCodeStepConfig } from './schema.js';
import { checkMailServer } from './mail-server-check.js';

/** Confirming an email address: a one-time code sent to the address in a claim of the session token. */
export const emailCodeStepType = defineStepType({
  type: 'email-code',
  schema: emailCodeEntry,
  ports: ['records'],
  verifiesPerson: true,
  load: (entry, at): { ok: true; config: EmailCodeStepConfig } => ({ ok: true, config: loadEmailCode(entry, at.id) }),
  claimsRead: (config) => [config.emailClaim],
  environment: readMailSettings,
  build: (config, services) => {
    return new EmailCodeStep(config, {
      store: codeRecords(services.records),
      mailer: services.settings ? smtpMailer(services.settings) : null,
      key: services.stepSecret,
      issuerName: services.issuerName,
      logger: services.logger,
    });
  },
  // The mail server answers, greets and signs in as sending would; nothing is sent, no password printed.
  doctor: async (_config, { env }) => [{ name: 'mail server', ...(await checkMailServer(env)) }],
  messages: emailCodeMessages,
});
