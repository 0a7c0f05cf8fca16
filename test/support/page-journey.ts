import type { HookFixture } from './hook-fixture.js';
import { arrive } from './journey.js';

/** The Set-Cookie lines as one string: supertest types the header as a string, but it is a list. */
export const setCookies = (res: { headers: Record<string, string> }) =>
  ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(',');

/** A browser (asking for `language`, when given) arrives with `claims` and opens the first step. */
export async function arriveAt(hook: HookFixture, claims: Record<string, unknown> = {}, language?: string) {
  const browser = hook.browser();
  if (language !== undefined) browser.set('Accept-Language', language);
  const arrived = await arrive(hook, { claims }, browser);
  return { ...arrived, path: arrived.interactionPath };
}
