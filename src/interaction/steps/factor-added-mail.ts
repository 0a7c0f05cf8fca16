import type { Logger } from 'pino';
import { escapeHtml } from './email-code/code-mail.js';
import type { CodeMailer } from './email-code/code-mailer.js';
import { readMailSettings, type MailSettings } from './email-code/mail-settings.js';
import type { StepContext } from './step.js';

/**
 * The mail that tells a person an authenticator was just bound to them: sent to the address an
 * earlier email-code step of the journey confirmed, so that someone who did not do it hears of it.
 */
export interface FactorAddedNotice {
  mailer: CodeMailer | null;
  logger: Logger;
}

/**
 * SMTP_URL and MAIL_FROM when they are set and sound (null otherwise): an email-code step, which
 * needs them, reports any problem with them; without one no address is known and nothing is mailed.
 */
export function noticeMailEnvironment(env: Readonly<Record<string, string | undefined>>): {
  ok: true;
  settings: MailSettings | null;
} {
  const read = readMailSettings(env);
  return { ok: true, settings: read.ok ? read.settings : null };
}

/**
 * Mails `subject` and `paragraphs` (already in the page's language) when the journey knows a
 * confirmed address. A mail that does not go is logged, never the address, and changes nothing:
 * the authenticator is bound already.
 */
export async function mailFactorAdded(
  notice: FactorAddedNotice,
  ctx: Pick<StepContext, 'interactionId' | 'locale' | 'verified'>,
  mail: { step: string; subject: string; paragraphs: readonly string[] },
): Promise<void> {
  const to = ctx.verified.email;
  if (to === null || notice.mailer === null) return;
  const html = [
    '<!doctype html>',
    `<html lang="${escapeHtml(ctx.locale)}"><head><meta charset="utf-8"><title>${escapeHtml(mail.subject)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:16px;line-height:1.5">',
    ...mail.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    '</body></html>',
  ].join('\n');
  try {
    await notice.mailer.send({
      to,
      subject: mail.subject,
      text: `${mail.paragraphs.join('\n\n')}\n`,
      html,
      locale: ctx.locale,
    });
    notice.logger.info(
      { interaction: ctx.interactionId, step: mail.step, event: 'factor_added_mailed' },
      'authenticator added: notice mailed',
    );
  } catch (error) {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    notice.logger.warn(
      { interaction: ctx.interactionId, step: mail.step, event: 'factor_added_not_mailed', errorCode: code },
      'authenticator added: the notice mail did not go',
    );
  }
}
