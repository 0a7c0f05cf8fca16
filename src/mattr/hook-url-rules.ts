import { isIP } from 'node:net';

/** The tenant's rules for a hook URL (PROTOCOL §1.2), plus two of ours: no fragment, no credentials. */
export type HookUrlRule = 'valid URL' | 'HTTPS' | 'host is not an IP address' | 'no query string' | 'no fragment' | 'no user or password';

export interface HookUrlProblem {
  rule: HookUrlRule;
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
 * Checks a hook URL before any call to the tenant, so that a mistake is named here rather than
 * found in a 400. Returns every broken rule (empty when the URL is fine).
 */
export function hookUrlProblems(raw: string, options: HookUrlOptions = {}): HookUrlProblem[] {
  const text = raw.trim();
  if (!URL.canParse(text)) return [problem('valid URL', `"${text}" is not an absolute URL such as https://hook.example.com/callback`)];
  const url = new URL(text);
  const problems: HookUrlProblem[] = [];
  const localHttp = options.allowLocalhostHttp === true && url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !localHttp) {
    problems.push(problem('HTTPS', `it must start with https://, not ${url.protocol}//`));
  }
  if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) {
    problems.push(problem('host is not an IP address', `the host ${url.hostname} is an IP address; use a DNS name`));
  }
  // `href` keeps a bare "?" or "#" that `search` and `hash` report as empty.
  const href = url.href;
  if (href.includes('?')) problems.push(problem('no query string', `remove "${url.search || '?'}"; the tenant adds its own session_token parameter`));
  if (href.includes('#')) problems.push(problem('no fragment', `remove "${url.hash || '#'}"; browsers never send it to the hook`));
  if (url.username !== '' || url.password !== '') {
    problems.push(problem('no user or password', 'remove the user name and password; they would travel in every redirect'));
  }
  return problems;
}

/** One sentence per broken rule, prefixed with what was checked (e.g. "HOOK_URL" or "--url"). */
export function describeHookUrlProblems(subject: string, problems: readonly HookUrlProblem[]): string[] {
  return problems.map((p) => `${subject} breaks the rule "${p.rule}": ${p.message}`);
}

function problem(rule: HookUrlRule, message: string): HookUrlProblem {
  return { rule, message };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A plain-http URL on this machine: only a local tenant simulator runs like that. Credentials may
 * travel over http only to such a URL, and only then may the hook URL be http://localhost.
 */
export function isLocalHttp(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const parsed = new URL(url);
  return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname);
}
