import { smtpMailer } from '../email-code/code-mailer.js';
import type { MailSettings } from '../email-code/mail-settings.js';
import { enrolmentCheck, warnIfFirstUse } from '../enrolment.js';
import { noticeMailEnvironment } from '../factor-added-mail.js';
import { defineStepType, type StepDoctorCheck } from '../step-type.js';
import { APP_KEY_VARIABLE, readAppKey, rootKey } from './app-key.js';
import { AppRecords } from './app-records.js';
import { AuthenticatorAppStep } from './authenticator-app-step.js';
import { authenticatorAppMessages } from './messages.js';
import { authenticatorAppEntry, loadAuthenticatorApp, type AuthenticatorAppStepConfig } from './schema.js';
import { recoveryHashKey, SecretBox } from './secret-box.js';

/** What the type reads from the environment: its own key, and the mail settings for "an authenticator app was added". */
export interface AuthenticatorAppSettings {
  appKey: string | undefined;
  mail: MailSettings | null;
}

const named = (config: AuthenticatorAppStepConfig) => ({
  id: config.id,
  what: 'an authenticator app',
  docs: 'docs/step-authenticator-app.md',
});

/** Codes from an authenticator app (TOTP): set up once the person is verified, asked for on every later journey. */
export const authenticatorAppStepType = defineStepType({
  type: 'authenticator-app',
  schema: authenticatorAppEntry,
  ports: ['records', 'subjectRecords'],
  // A code from the app verifies the person; an app just set up does not (the step's outcome says so).
  verifiesPerson: true,
  load: loadAuthenticatorApp,
  claimsRead: () => [],
  environment: (env): { ok: true; settings: AuthenticatorAppSettings } | { ok: false; problems: string[] } => {
    const key = readAppKey(env);
    return key.ok ? { ok: true, settings: { appKey: key.appKey, mail: noticeMailEnvironment(env).settings } } : key;
  },
  build: (config, services) => {
    const root = rootKey(services.settings?.appKey, services.stepSecret);
    const mail = services.settings?.mail;
    return new AuthenticatorAppStep(config, {
      apps: new AppRecords(services.subjectRecords, services.records),
      box: new SecretBox(root),
      recoveryKey: recoveryHashKey(root),
      issuerLabel: config.issuerLabel ?? services.issuerName,
      issuerName: services.issuerName,
      logger: services.logger,
      notice: { mailer: mail ? smtpMailer(mail) : null, logger: services.logger },
    });
  },
  prepare: (config, services) => warnIfFirstUse(config.enrol, named(config), services.logger),
  doctor: (config, { env }) => Promise.resolve([enrolmentCheck(config.enrol, named(config)), keyCheck(config, env)]),
  messages: authenticatorAppMessages,
});

/** Under which key the secrets are sealed, and what changing it does; never the key. */
function keyCheck(
  config: AuthenticatorAppStepConfig,
  env: Readonly<Record<string, string | undefined>>,
): StepDoctorCheck {
  const name = `secrets at rest (${config.id})`;
  const key = readAppKey(env);
  if (!key.ok)
    return {
      name,
      status: 'fail',
      detail: key.problems.join('; '),
      fix: `set ${APP_KEY_VARIABLE} to 32 random characters or more, or leave it out`,
    };
  if (key.appKey !== undefined) return { name, status: 'ok', detail: `sealed under a key from ${APP_KEY_VARIABLE}` };
  return {
    name,
    status: 'ok',
    detail: `sealed under a key from SESSION_SECRET: changing it makes every enrolled app unreadable (${APP_KEY_VARIABLE} keeps them apart)`,
  };
}
