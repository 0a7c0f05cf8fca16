/**
 * URLs as the tenant compares them. JWT libraries compare `iss`/`aud` as plain strings, so a
 * configured URL is normalised by removing a trailing slash, never by adding one
 * (`new URL(x).href` would add one to a bare origin).
 */
export function normaliseUrl(raw: string): string {
  const trimmed = raw.trim();
  return trimmed.endsWith('/') ? trimmed.replace(/\/+$/, '') : trimmed;
}

/** The path at which the hook's callback is served, taken from the registered hook URL. */
export function callbackPath(hookUrl: string): string {
  const { pathname } = new URL(hookUrl);
  return pathname === '' ? '/' : pathname;
}

export function isHttps(url: string): boolean {
  return new URL(url).protocol === 'https:';
}
