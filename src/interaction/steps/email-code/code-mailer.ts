import nodemailer from 'nodemailer';
import type { MailSettings } from './mail-settings.js';

/** One message to one address, in two parts. */
export interface CodeMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The language of the message, for its Content-Language header. */
  locale: string;
}

export interface CodeMailer {
  /** Resolves once the server accepted the message; rejects when it is away or refuses it. */
  send(mail: CodeMail): Promise<void>;
}

/** Long enough for a slow server, short enough that the user is told "try again" while still looking. */
const SMTP_TIMEOUT_MS = 10_000;

/**
 * Mail through SMTP: smtps:// connects over TLS, smtp:// upgrades with STARTTLS whenever the server
 * offers it. One connection per message: codes are rare, and a pool would hold a server's
 * connection open for nothing.
 */
export function smtpMailer(
  settings: MailSettings,
  options: { timeoutMs?: number } = {},
): CodeMailer & { verify(): Promise<void> } {
  const timeout = options.timeoutMs ?? SMTP_TIMEOUT_MS;
  const transport = nodemailer.createTransport(
    { url: settings.smtpUrl, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout },
    { from: settings.mailFrom },
  );
  return {
    async send(mail) {
      await transport.sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: { 'Content-Language': mail.locale, 'Auto-Submitted': 'auto-generated' },
      });
    },
    async verify() {
      await transport.verify();
    },
  };
}

/**
 * Why a message did not go: `refused` when the server answered a recipient or the message with a
 * permanent (5xx) no, which trying again will not change; `unavailable` for everything else — a
 * server away or slow, a temporary (4xx) no, our own sign-in or sender refused.
 */
export function mailFailure(error: unknown): 'refused' | 'unavailable' {
  const { responseCode, command } = (typeof error === 'object' && error !== null ? error : {}) as {
    responseCode?: unknown;
    command?: unknown;
  };
  const permanent = typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600;
  return permanent && (command === 'RCPT TO' || command === 'DATA') ? 'refused' : 'unavailable';
}
