import { brokenUrlRules, type UrlRule } from '../web/url-rules.js';

export interface HookUrlProblem {
  rule: UrlRule;
  /** What is wrong, in plain words, naming the rule. */
  message: string;
}

export interface HookUrlOptions {
  /**
   * Accept `http://localhost…`: only for a local simulator in demo mode, never for a real tenant
   * (which refuses it).
   */
  allowLocalhostHttp?: boolean;
}

/**
 * Checks a hook URL against the tenant's rules (PROTOCOL §1.2) and two of ours (no fragment, no
 * credentials) before any call to the tenant, so that a mistake is named here rather than found in
 * a 400. Returns every broken rule (empty when the URL is fine).
 */
export function hookUrlProblems(raw: string, options: HookUrlOptions = {}): HookUrlProblem[] {
  const text = raw.trim();
  const broken = brokenUrlRules(text, {
    ...(options.allowLocalhostHttp === true ? { http: 'localhost' } : {}),
    dnsHost: true,
    noQuery: true,
    noFragment: true,
    noCredentials: true,
  });
  if (broken.includes('valid URL'))
    return [
      { rule: 'valid URL', message: `"${text}" is not an absolute URL such as https://hook.example.com/callback` },
    ];
  const url = new URL(text);
  const messages: Record<Exclude<UrlRule, 'valid URL'>, string> = {
    HTTPS: `it must start with https://, not ${url.protocol}//`,
    'host is not an IP address': `the host ${url.hostname} is an IP address; use a DNS name`,
    'no query string': `remove "${url.search || '?'}"; the tenant adds its own session_token parameter`,
    'no fragment': `remove "${url.hash || '#'}"; browsers never send it to the hook`,
    'no user or password': 'remove the user name and password; they would travel in every redirect',
  };
  return broken.filter((rule) => rule !== 'valid URL').map((rule) => ({ rule, message: messages[rule] }));
}

/** One sentence per broken rule, prefixed with what was checked (e.g. "HOOK_URL" or "--url"). */
export function describeHookUrlProblems(subject: string, problems: readonly HookUrlProblem[]): string[] {
  return problems.map((p) => `${subject} breaks the rule "${p.rule}": ${p.message}`);
}
