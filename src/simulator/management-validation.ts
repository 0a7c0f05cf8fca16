import { isIP } from 'node:net';

/**
 * The tenant's validation of `PUT /v1/openid/configuration`, as the simulator plays it. Written
 * apart from the hook's own URL rules on purpose: a shared mistake would go unseen.
 */
export interface ValidationDetail {
  value: unknown;
  msg: string;
  param: string;
  location: 'body';
}

export interface StoredHook {
  url: string;
  claims: string[];
  sessionTimeoutInSec: number | undefined;
  disabled: boolean;
}

export type Validated =
  { ok: true; hook: StoredHook; demoLocalhost: boolean } | { ok: false; details: ValidationDetail[] };

/** `demo`: an http://localhost hook URL is accepted (the real tenant refuses it). */
export function validateConfiguration(body: unknown, demo: boolean): Validated {
  const details: ValidationDetail[] = [];
  const fail = (param: string, value: unknown, msg: string) => details.push({ value, msg, param, location: 'body' });
  const hook = isObject(body) ? body.interactionHook : undefined;
  if (!isObject(hook)) {
    fail('interactionHook', hook, 'Invalid value');
    return { ok: false, details };
  }

  let demoLocalhost = false;
  const { url } = hook;
  if (typeof url !== 'string' || !URL.canParse(url)) {
    fail('interactionHook.url', url, 'Must be a valid URL');
  } else {
    const parsed = new URL(url);
    demoLocalhost = demo && parsed.protocol === 'http:' && parsed.hostname === 'localhost';
    if (parsed.protocol !== 'https:' && !demoLocalhost)
      fail('interactionHook.url', url, 'Must be a URL using the https protocol');
    if (isIP(parsed.hostname.replace(/^\[|\]$/g, '')) !== 0)
      fail('interactionHook.url', url, 'Must not be an IP address');
    if (parsed.search !== '') fail('interactionHook.url', url, 'Must not contain query parameters');
  }

  const { claims } = hook;
  if (
    claims !== undefined &&
    (!Array.isArray(claims) || !claims.every((c) => typeof c === 'string' && c.trim() !== ''))
  ) {
    fail('interactionHook.claims', claims, 'Must be an array of claim names');
  }
  const timeout = hook.sessionTimeoutInSec;
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1)) {
    fail('interactionHook.sessionTimeoutInSec', timeout, 'Must be a positive whole number of seconds');
  }
  if (hook.disabled !== undefined && typeof hook.disabled !== 'boolean')
    fail('interactionHook.disabled', hook.disabled, 'Must be a boolean');

  if (details.length > 0) return { ok: false, details };
  return {
    ok: true,
    demoLocalhost,
    hook: {
      url: url as string,
      claims: (claims as string[] | undefined) ?? [],
      sessionTimeoutInSec: timeout as number | undefined,
      disabled: hook.disabled === true,
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
