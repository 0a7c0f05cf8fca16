import { createHash, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const MIN_SECRET_BYTES = 32;

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

/** Whether two base64 secrets are the same key, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a.trim(), 'base64');
  const y = Buffer.from(b.trim(), 'base64');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/**
 * A short name for a secret that reveals nothing useful about it (12 hex digits of its SHA-256),
 * so people can tell two secrets apart without either being shown.
 */
export function secretFingerprint(secret: string): string {
  return fingerprintOf(Buffer.from(secret.trim(), 'base64'));
}

/** The same fingerprint, of a key already decoded (a running hook keeps only KeyObjects). */
export function keyFingerprint(key: KeyObject): string {
  return fingerprintOf(key.export());
}

function fingerprintOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 12);
}
