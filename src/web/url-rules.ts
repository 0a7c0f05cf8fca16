import { isIP } from 'node:net';

/** A rule a URL from configuration or from another party may have to keep, named as messages name it. */
export type UrlRule =
  'valid URL' | 'HTTPS' | 'host is not an IP address' | 'no query string' | 'no fragment' | 'no user or password';

/** Which rules a URL must keep: always an absolute URL, https:// unless `http` says where http:// will do. */
export interface UrlRules {
  /**
   * Where http:// is accepted besides https://: `localhost` by that name only, `loopback` on this
   * machine (localhost, 127.0.0.1, [::1]: a simulator, a local provider), or `anywhere`. Left out,
   * https:// only.
   */
  http?: 'localhost' | 'loopback' | 'anywhere';
  /** The host is a DNS name, not an IP address in any spelling the URL parser accepts. */
  dnsHost?: boolean;
  /** No query string, not even a bare "?". */
  noQuery?: boolean;
  /** No fragment, not even a bare "#". */
  noFragment?: boolean;
  /** No user name or password. */
  noCredentials?: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Every rule of `rules` that `raw` breaks, in the order of `UrlRule` (empty when it keeps them
 * all); a text that is no absolute URL breaks `valid URL` alone.
 */
export function brokenUrlRules(raw: string, rules: UrlRules): UrlRule[] {
  const text = raw.trim();
  if (!URL.canParse(text)) return ['valid URL'];
  const url = new URL(text);
  const broken: UrlRule[] = [];
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && httpAccepted(url, rules.http))) broken.push('HTTPS');
  if (rules.dnsHost === true && isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0)
    broken.push('host is not an IP address');
  // `href` keeps a bare "?" or "#" that `search` and `hash` report as empty.
  if (rules.noQuery === true && url.href.includes('?')) broken.push('no query string');
  if (rules.noFragment === true && url.href.includes('#')) broken.push('no fragment');
  if (rules.noCredentials === true && (url.username !== '' || url.password !== '')) broken.push('no user or password');
  return broken;
}

/** Whether `raw` keeps every rule of `rules`. */
export function keepsUrlRules(raw: string, rules: UrlRules): boolean {
  return brokenUrlRules(raw, rules).length === 0;
}

/**
 * A plain-http URL on this machine: only a local simulator runs like that. Credentials may travel
 * over http only to such a URL.
 */
export function isLoopbackHttp(raw: string): boolean {
  return URL.canParse(raw) && new URL(raw).protocol === 'http:' && keepsUrlRules(raw, { http: 'loopback' });
}

function httpAccepted(url: URL, where: UrlRules['http']): boolean {
  if (where === 'anywhere') return true;
  if (where === 'loopback') return LOOPBACK_HOSTS.has(url.hostname);
  return where === 'localhost' && url.hostname === 'localhost';
}
