import { randomInt } from 'node:crypto';
import { codeHash, typedCode } from '../one-time-code.js';

/** How many codes an enrolment gives: each works once, instead of a code from the app. */
const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32: no I, L, O or U, so nothing is misread; 10 characters are 50 random bits. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 10;

/** Ten codes as they are shown: `7KQ2M-X9D4T`. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = Array.from({ length: LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** What the person typed, as the code it means (case, spaces and dashes aside; O as 0, I and L as 1); null when it is not one. */
export function typedRecoveryCode(value: unknown): string | null {
  const code = typedCode(value)?.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return code !== undefined && new RegExp(`^[${ALPHABET}]{${LENGTH}}$`).test(code) ? code : null;
}

/** A code is kept only as this keyed hash, bound to its enrolment. */
export function recoveryCodeHash(key: Buffer, enrolmentId: string, code: string): string {
  return codeHash(key, enrolmentId, code.replace('-', ''));
}
