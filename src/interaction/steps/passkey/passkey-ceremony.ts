import { createHash, randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { PasskeyCredential } from './passkey-credentials.js';
import { authenticationResponse, registrationResponse } from './response-shape.js';

/** How long the browser may take over the ceremony; the challenge lives a little longer. */
export const CEREMONY_TIMEOUT_MS = 120_000;

/** Where this hook's passkeys belong: the RP id is HOOK_URL's host, the origin its origin. */
export interface RelyingParty {
  id: string;
  name: string;
  origin: string;
}

export function relyingParty(hookUrl: string, name: string): RelyingParty {
  const url = new URL(hookUrl);
  return { id: url.hostname, name, origin: url.origin };
}

export type UserVerification = 'required' | 'preferred' | 'discouraged';

/** Why a response was not accepted: said to the user in their words, logged by this code alone. */
export type Refusal =
  | 'malformed'
  | 'not_verified'
  | 'unknown_credential'
  | 'counter_regressed'
  | 'duplicate_credential'
  | 'origin'
  | 'challenge'
  | 'rp_id'
  | 'invalid';

export type Verified =
  { ok: true; credential: PasskeyCredential; userVerified: boolean; counter: number } | { ok: false; refusal: Refusal };

/** SHA-256 (hex) of a credential id: what the ledger and the logs name a passkey by. */
export function credentialHash(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export function registrationOptions(
  rp: RelyingParty,
  subject: string,
  userVerification: UserVerification,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: subject.slice(0, 64),
    // A random handle: the authenticator needs one, and this hook finds passkeys by subject, not by it.
    userID: new Uint8Array(randomBytes(32)),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'preferred', userVerification },
    timeout: CEREMONY_TIMEOUT_MS,
  });
}

export function authenticationOptions(
  rp: RelyingParty,
  credentials: readonly PasskeyCredential[],
  userVerification: UserVerification,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: credentials.map((c) => ({ id: c.id, transports: c.transports })),
    userVerification,
    timeout: CEREMONY_TIMEOUT_MS,
  });
}

/** A new passkey for `subject`, when the browser's response proves it was made here for this challenge. */
export async function verifyRegistration(
  rp: RelyingParty,
  input: unknown,
  challenge: string,
  subject: string,
  userVerification: UserVerification,
  now: Date,
): Promise<Verified> {
  const parsed = registrationResponse.safeParse(input);
  if (!parsed.success) return { ok: false, refusal: 'malformed' };
  try {
    // User verification is checked below, so that its absence has its own message.
    const result = await verifyRegistrationResponse({
      response: parsed.data,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!result.verified) return { ok: false, refusal: 'invalid' };
    const { credential, userVerified } = result.registrationInfo;
    if (userVerification === 'required' && !userVerified) return { ok: false, refusal: 'not_verified' };
    const transports = (parsed.data.response.transports ?? []).filter((t) => /^[a-z-]{1,32}$/.test(t));
    return {
      ok: true,
      userVerified,
      counter: credential.counter,
      credential: {
        id: credential.id,
        subject,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports,
        createdAt: now,
        lastUsedAt: now,
      },
    };
  } catch (error) {
    return { ok: false, refusal: refusalOf(error) };
  }
}

/** The stored passkey the browser's assertion was made with, when it proves this challenge. */
export async function verifyAuthentication(
  rp: RelyingParty,
  input: unknown,
  challenge: string,
  credentials: readonly PasskeyCredential[],
  userVerification: UserVerification,
): Promise<Verified> {
  const parsed = authenticationResponse.safeParse(input);
  if (!parsed.success) return { ok: false, refusal: 'malformed' };
  const stored = credentials.find((c) => c.id === parsed.data.id);
  if (!stored) return { ok: false, refusal: 'unknown_credential' };
  try {
    // The counter is checked below, after the signature: only a genuine assertion with a counter
    // that went back is the sign of a cloned authenticator worth logging as such.
    const result = await verifyAuthenticationResponse({
      response: parsed.data,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: stored.id,
        publicKey: new Uint8Array(stored.publicKey),
        counter: 0,
        transports: stored.transports,
      },
      requireUserVerification: false,
    });
    if (!result.verified) return { ok: false, refusal: 'invalid' };
    const { newCounter, userVerified } = result.authenticationInfo;
    if ((newCounter > 0 || stored.counter > 0) && newCounter <= stored.counter)
      return { ok: false, refusal: 'counter_regressed' };
    if (userVerification === 'required' && !userVerified) return { ok: false, refusal: 'not_verified' };
    return { ok: true, userVerified, counter: newCounter, credential: stored };
  } catch (error) {
    return { ok: false, refusal: refusalOf(error) };
  }
}

/** The library says why only in its messages, which quote the challenge: reduce them to a code. */
function refusalOf(error: unknown): Refusal {
  const message = error instanceof Error ? error.message : '';
  if (/origin/i.test(message)) return 'origin';
  if (/challenge/i.test(message)) return 'challenge';
  if (/RP ?ID/i.test(message)) return 'rp_id';
  return 'invalid';
}
