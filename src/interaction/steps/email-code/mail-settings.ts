/** How the email-code step reaches its mail server: read from the environment once, at start-up. */
export interface MailSettings {
  /** smtp://host:port (STARTTLS when the server offers it) or smtps://user:pass@host:465. */
  smtpUrl: string;
  /** The From header, e.g. `Example Issuer <no-reply@issuer.example>`. */
  mailFrom: string;
}

/** name@domain.tld: no spaces, no second @, a dot in the domain. */
const ADDRESS = /^[^\s@<>"]+@[^\s@<>".]+(\.[^\s@<>".]+)+$/u;
/** A display name before the address; quotes and angle brackets would change the header's meaning. */
const NAMED_ADDRESS = /^([^<>"\p{Cc}]{1,100}) <([^<>\s]+)>$/u;

/**
 * Reads SMTP_URL and MAIL_FROM, one sentence per problem. A password in SMTP_URL never appears
 * in a sentence: the URL is shown with its credentials replaced.
 */
export function readMailSettings(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; settings: MailSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const smtpUrl = env.SMTP_URL?.trim() ?? '';
  const mailFrom = env.MAIL_FROM?.trim() ?? '';
  const needed = 'the steps file has an email-code step';
  if (smtpUrl === '')
    problems.push(
      `SMTP_URL is required when ${needed}: smtp://host:587 (STARTTLS when offered) or smtps://user:password@host:465`,
    );
  else {
    const problem = smtpUrlProblem(smtpUrl);
    if (problem) problems.push(`SMTP_URL (${redactedSmtpUrl(smtpUrl)}): ${problem}`);
  }
  if (mailFrom === '')
    problems.push(`MAIL_FROM is required when ${needed}, e.g. "Example Issuer <no-reply@issuer.example>"`);
  else if (!isMailFrom(mailFrom))
    problems.push(
      'MAIL_FROM is not an address like "no-reply@issuer.example" or "Example Issuer <no-reply@issuer.example>"',
    );
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, settings: { smtpUrl, mailFrom } };
}

function smtpUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not a URL; write smtp://host:port or smtps://user:password@host:465';
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    return `the scheme is "${url.protocol}"; use smtp: or smtps:`;
  if (url.hostname === '') return 'the URL names no host';
  if (url.search !== '' || (url.pathname !== '' && url.pathname !== '/'))
    return 'give only the scheme, credentials, host and port: no path or query';
  return null;
}

function isMailFrom(value: string): boolean {
  if (/[\r\n]/.test(value)) return false;
  const named = NAMED_ADDRESS.exec(value);
  return ADDRESS.test(named?.[2] ?? value);
}

/** The URL as it may be shown: scheme, host and port; any user name and password replaced. */
export function redactedSmtpUrl(value: string): string {
  try {
    const url = new URL(value);
    const credentials = url.username || url.password ? '***@' : '';
    return `${url.protocol}//${credentials}${url.host}`;
  } catch {
    return 'not a URL';
  }
}
