/** The variable that, when set, is the root of the keys the step seals and hashes with. */
export const APP_KEY_VARIABLE = 'AUTHENTICATOR_APP_KEY';

/**
 * AUTHENTICATOR_APP_KEY, when set: 32 characters or more. Without it the keys come from the
 * session secret, and changing SESSION_SECRET makes every enrolled app unreadable.
 */
export function readAppKey(
  env: Readonly<Record<string, string | undefined>>,
): { ok: true; appKey: string | undefined } | { ok: false; problems: string[] } {
  const value = env[APP_KEY_VARIABLE]?.trim() ?? '';
  if (value === '') return { ok: true, appKey: undefined };
  if (value.length < 32)
    return {
      ok: false,
      problems: [`${APP_KEY_VARIABLE} must be at least 32 characters (e.g. openssl rand -base64 32)`],
    };
  return { ok: true, appKey: value };
}

/** The root key: AUTHENTICATOR_APP_KEY as read at start-up, else the step type's key from the session secret. */
export function rootKey(appKey: string | undefined, stepSecret: Buffer): Buffer {
  return appKey === undefined ? stepSecret : Buffer.from(appKey, 'utf8');
}
