import { createSecretKey, type KeyObject } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
export const MIN_SECRET_BYTES = 32;

/**
 * The tenant hands out the shared secret as standard base64 of 32 random bytes; the HS256 key is
 * the decoded bytes. Returns null when the text is not such a secret.
 */
export function decodeHookSecret(text: string): KeyObject | null {
  const trimmed = text.trim();
  if (!BASE64.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed, 'base64');
  if (bytes.length < MIN_SECRET_BYTES) return null;
  return createSecretKey(bytes);
}
