import { smtpMailer } from './code-mailer.js';
import { readMailSettings, redactedSmtpUrl } from './mail-settings.js';

/** What `doctor` reports about the mail server of an email-code step; never a password. */
export interface MailServerCheck {
  status: 'ok' | 'fail';
  detail: string;
  fix?: string;
}

/** Short: a doctor run waits for each check in turn. */
const CHECK_TIMEOUT_MS = 5_000;

/** Connects to SMTP_URL, greets, upgrades to TLS where offered and signs in, as sending would; sends nothing. */
export async function checkMailServer(
  env: Readonly<Record<string, string | undefined>>,
  options: { timeoutMs?: number } = {},
): Promise<MailServerCheck> {
  const read = readMailSettings(env);
  if (!read.ok)
    return {
      status: 'fail',
      detail: read.problems.join('; '),
      fix: 'set SMTP_URL and MAIL_FROM (docs/step-email-code.md)',
    };
  const where = redactedSmtpUrl(read.settings.smtpUrl);
  try {
    await smtpMailer(read.settings, { timeoutMs: options.timeoutMs ?? CHECK_TIMEOUT_MS }).verify();
    return { status: 'ok', detail: `the mail server at ${where} answered and accepted the connection` };
  } catch (error) {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    return {
      status: 'fail',
      detail: `the mail server at ${where} ${WHY[String(code)] ?? 'could not be used'}`,
      fix: 'check SMTP_URL, the server, and any firewall on the way',
    };
  }
}

const WHY: Record<string, string> = {
  ECONNECTION: 'refused or closed the connection',
  ESOCKET: 'could not be reached',
  EDNS: 'has a host name that does not resolve',
  ETIMEDOUT: `did not answer within ${CHECK_TIMEOUT_MS / 1000} s`,
  ETLS: 'failed the TLS handshake (smtps:// needs a server that speaks TLS at once; smtp:// upgrades with STARTTLS)',
  EAUTH: 'refused the user name and password in SMTP_URL',
  ENOAUTH: 'asks for a user name and password, and SMTP_URL has none',
};
