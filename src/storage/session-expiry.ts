import type { SessionData } from 'express-session';

/** One day, for a session whose cookie has no expiry of its own. */
const DEFAULT_TTL_MS = 86_400_000;

/** When a stored session may be deleted: its cookie's expiry, shared by every session table. */
export function sessionExpiresAt(data: SessionData, now = Date.now()): number {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires).getTime() : now + DEFAULT_TTL_MS;
}
