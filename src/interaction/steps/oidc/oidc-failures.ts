import { ClientError, ResponseBodyError } from 'openid-client';

/**
 * Why a return from the OpenID provider did not prove the sign-in, as a code for the ledger and
 * the log and a sentence for the tenant. Neither ever holds a code, a token or a claim value.
 */
export const OIDC_FAILURES = [
  'state_mismatch',
  'provider_error',
  'code_refused',
  'client_refused',
  'issuer_mismatch',
  'audience_mismatch',
  'nonce_mismatch',
  'expired',
  'not_yet_valid',
  'sign_in_too_old',
  'alg_refused',
  'signature_invalid',
  'response_invalid',
  'acr_too_weak',
  'subject_mismatch',
  'claim_unusable',
] as const;
export type OidcFailure = (typeof OIDC_FAILURES)[number];

const START = 'The extra sign-in at the OpenID provider failed: ';

/** The sentence the tenant receives; `detail` is a claim name or an error code, never a value. */
export function failureMessage(failure: OidcFailure, detail = ''): string {
  const why: Record<OidcFailure, string> = {
    state_mismatch: 'the return could not be matched to this journey (missing, wrong or replayed state).',
    provider_error: `the provider answered with the error "${detail}".`,
    code_refused: 'the provider refused the authorization code (used before, expired, or not issued for this sign-in).',
    client_refused: 'the provider refused this hook as a client (check the client id and secret).',
    issuer_mismatch: 'the ID token was not issued by the configured provider (iss).',
    audience_mismatch: 'the ID token was issued for another client (aud).',
    nonce_mismatch: 'the ID token does not belong to this sign-in (nonce).',
    expired: 'the ID token has expired (exp).',
    not_yet_valid: 'the ID token is not valid yet (nbf).',
    sign_in_too_old: 'the sign-in at the provider is older than the step allows (auth_time, maxAge).',
    alg_refused: 'the ID token is not signed with an algorithm the provider announces (alg).',
    signature_invalid: "the ID token's signature does not verify with the provider's keys.",
    response_invalid: "the provider's response could not be verified.",
    acr_too_weak: `the sign-in was not strong enough (acr ${detail === '' ? 'missing' : `"${detail}"`} is not one the step requires).`,
    subject_mismatch: `the person who signed in is not the person the credential is for (${detail} differ).`,
    claim_unusable: `the ID token claim "${detail}" is not a short plain value.`,
  };
  return START + why[failure];
}

/** A request the provider did not answer, or answered with a server error: try again later. */
export class ProviderAwayError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the OpenID provider did not answer', options);
    this.name = 'ProviderAwayError';
  }
}

/**
 * What an error of the code exchange means: the provider away (a 503, nothing spent), or one
 * failure that ends the step. openid-client wraps the checks' errors; their codes and the claim
 * they name sit in the chain of causes.
 */
export function classifyExchangeError(error: unknown): 'away' | OidcFailure {
  const chain = causes(error);
  if (chain.some((e) => e instanceof ProviderAwayError)) return 'away';
  if (chain.some((e) => e instanceof ClientError && (e.code === 'OAUTH_TIMEOUT' || e.code === 'OAUTH_ABORT')))
    return 'away';
  // fetch itself failed (no connection): the wrapper in provider-connection.ts normally says so first.
  if (error instanceof TypeError && error.message === 'fetch failed') return 'away';
  if (error instanceof ResponseBodyError) {
    if (error.error === 'invalid_grant') return 'code_refused';
    if (error.error === 'invalid_client' || error.error === 'unauthorized_client') return 'client_refused';
    return 'response_invalid';
  }
  const claim = chain.map((e) => claimNamed(e)).find((c) => c !== undefined);
  const messages = chain.map((e) => (e instanceof Error ? e.message : '')).join(' | ');
  const code = chain.map((e) => (e instanceof ClientError ? e.code : undefined)).find((c) => c !== undefined);
  if (code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
    if (claim === 'iss') return 'issuer_mismatch';
    if (claim === 'aud' || claim === 'azp') return 'audience_mismatch';
    if (claim === 'nonce') return 'nonce_mismatch';
  }
  if (code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
    if (claim === 'exp') return 'expired';
    if (claim === 'nbf') return 'not_yet_valid';
    if (claim === 'auth_time') return 'sign_in_too_old';
  }
  if (messages.includes('"iss" (issuer) response parameter')) return 'issuer_mismatch';
  if (messages.includes('"alg"') || messages.includes('unsupported JWS algorithm')) return 'alg_refused';
  if (messages.includes('signature verification failed') || code === 'OAUTH_KEY_SELECTION_FAILED')
    return 'signature_invalid';
  return 'response_invalid';
}

/** The error and what it was caused by, nearest first (a few levels: the library nests two or three). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && chain.length < 6; e = e instanceof Error ? e.cause : undefined) chain.push(e);
  return chain;
}

/** The claim a failed check names (`{ claim: 'iss' }` as its cause), if any. */
function claimNamed(error: unknown): string | undefined {
  if (!(error instanceof Error) || typeof error.cause !== 'object' || error.cause === null) return undefined;
  const claim = (error.cause as { claim?: unknown }).claim;
  return typeof claim === 'string' ? claim : undefined;
}
