import type { Translate } from '../../../web/i18n.js';
import type { CodeMail } from './code-mailer.js';
import type { EmailCodeMessageKey } from './messages.js';

/** "10 minutes", "10 minutes", "90 seconds": a code's lifetime as people of `locale` say it. */
export function lifetimeText(seconds: number, locale: string): string {
  const [value, unit] = seconds % 60 === 0 ? [seconds / 60, 'minute'] : [seconds, 'second'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(value);
}

/**
 * The mail that carries a code: the issuer's name, the code and how long it works, in the page's
 * language, as plain text and as HTML. No link of any kind, so that a mail that looks like it
 * cannot lure anyone to a page that asks for the code.
 */
export function codeMail(input: {
  to: string;
  code: string;
  issuer: string;
  lifetimeSeconds: number;
  locale: string;
  t: Translate<EmailCodeMessageKey>;
}): CodeMail {
  const { t, issuer, code, locale } = input;
  const lifetime = lifetimeText(input.lifetimeSeconds, locale);
  const [intro, until, ignore] = [
    t('emailCode.mail.code', { issuer }),
    t('emailCode.mail.lifetime', { lifetime }),
    t('emailCode.mail.ignore'),
  ];
  const html = [
    '<!doctype html>',
    `<html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(t('emailCode.mail.subject', { issuer }))}</title></head>`,
    '<body style="font-family:sans-serif;font-size:16px;line-height:1.5">',
    `<p>${escapeHtml(intro)}</p>`,
    `<p style="font-size:28px;font-weight:bold;letter-spacing:4px">${escapeHtml(code)}</p>`,
    `<p>${escapeHtml(until)}</p>`,
    `<p style="color:#55575e">${escapeHtml(ignore)}</p>`,
    '</body></html>',
  ].join('\n');
  return {
    to: input.to,
    subject: t('emailCode.mail.subject', { issuer }),
    text: `${intro}\n\n    ${code}\n\n${until}\n\n${ignore}\n`,
    html,
    locale,
  };
}

/** Text made safe inside HTML elements and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
