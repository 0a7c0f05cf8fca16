import { Secret, TOTP } from 'otpauth';

/** How the app makes codes. SHA-1, as RFC 6238 and every app do; the secret makes it safe. */
export interface TotpParameters {
  digits: number;
  period: number;
}

/** 160 random bits (RFC 4226 §4), as base32: what the app is given. */
export function newSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** `otpauth://totp/<issuer>:<account>?secret=…`: what the QR code holds. */
export function otpauthUri(secret: string, parameters: TotpParameters & { issuer: string; account: string }): string {
  return totp(secret, parameters, { issuer: parameters.issuer, label: parameters.account }).toString();
}

/**
 * The time step (RFC 6238's T) whose code `code` is, within `window` steps either side of `now`;
 * null when it is none of them. The step is what makes a code single use.
 */
export function matchingTimeStep(
  secret: string,
  code: string,
  parameters: TotpParameters & { window: number },
  now: Date,
): number | null {
  const timestamp = now.getTime();
  const delta = totp(secret, parameters).validate({ token: code, timestamp, window: parameters.window });
  return delta === null ? null : TOTP.counter({ period: parameters.period, timestamp }) + delta;
}

function totp(secret: string, parameters: TotpParameters, names: { issuer?: string; label?: string } = {}): TOTP {
  return new TOTP({
    ...names,
    algorithm: 'SHA1',
    digits: parameters.digits,
    period: parameters.period,
    secret: Secret.fromBase32(secret),
  });
}

/** The key as people type it: groups of four. */
export function keyInGroups(secret: string): string[] {
  return secret.match(/.{1,4}/g) ?? [];
}
