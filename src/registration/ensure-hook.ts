import type { ConfigApi, InteractionHook, RegisteredHook } from '../mattr/config-api.js';
import { sameSecret } from '../mattr/hook-secret.js';
import { hookChanges, type HookChange } from './desired-hook.js';

export interface HookUpdate {
  before: RegisteredHook | null;
  after: RegisteredHook;
  changes: HookChange[];
  /** A PUT was made and the tenant handed back a different secret than before. */
  secretRotated: boolean;
}

/**
 * Reads the hook, decides what it should be, and PUTs only when something differs: registering
 * twice is harmless, and a PUT (which may rotate the secret) happens only when needed.
 */
export async function ensureHook(
  api: ConfigApi,
  decide: (current: RegisteredHook | null) => InteractionHook,
): Promise<HookUpdate> {
  const before = await api.getHook();
  const desired = decide(before);
  const changes = hookChanges(before, desired);
  if (before !== null && changes.length === 0) return { before, after: before, changes, secretRotated: false };
  const after = await api.putHook(desired);
  const secretRotated =
    before?.secret !== undefined && after.secret !== undefined && !sameSecret(before.secret, after.secret);
  return { before, after, changes, secretRotated };
}
