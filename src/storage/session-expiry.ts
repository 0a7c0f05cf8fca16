import type { SessionData } from 'express-session';

/** One day, for a session whose cookie has no expiry of its own. */
const DEFAULT_TTL_MS = 86_400_000;

/** When a stored session may be deleted: its cookie's expiry, shared by every session table. */
export function sessionExpiresAt(data: SessionData, now = Date.now()): number {
  // The cookie as stored (JSON): its `expires` is the moment the browser forgets it, when it has one.
  const { expires } = data.cookie as { expires?: Date | string | null };
  return expires !== undefined && expires !== null ? new Date(expires).getTime() : now + DEFAULT_TTL_MS;
}
