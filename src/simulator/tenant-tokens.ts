import { randomBytes, type KeyObject, type webcrypto } from 'node:crypto';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';

/**
 * Tokens as a MATTR VII tenant makes and reads them (PROTOCOL §2 and §3), for the simulator and
 * the tests. Deliberately separate from `mattr/`: the tenant's side must not share the hook's code,
 * or a shared mistake would go unseen.
 */
export interface TenantIdentity {
  tenantUrl: string;
  hookUrl: string;
  /** A WebCrypto key is accepted too: jose re-imports a KeyObject on every call, which a load generator feels. */
  key: KeyObject | webcrypto.CryptoKey;
}

export interface MintOptions {
  state?: string;
  redirectUrl?: string;
  claims?: Record<string, unknown>;
  /** Seconds the token lives; the tenant's exact figure is unknown, 5 minutes is plausible. */
  lifetimeSeconds?: number;
  now?: Date;
  /** Extra or overriding payload fields, e.g. `sub`, `jti`, or broken values for tests. */
  payload?: JWTPayload;
}

export function newState(): string {
  return randomBytes(16).toString('base64url').slice(0, 21);
}

/** The `session_token` the tenant sends the user's browser to the hook with. */
export async function mintSessionToken(
  tenant: TenantIdentity,
  options: MintOptions = {},
): Promise<{ token: string; state: string }> {
  const state = options.state ?? newState();
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  // Built as one object so that a test can override or remove (set to undefined) any field.
  const payload: JWTPayload = {
    state,
    redirectUrl: options.redirectUrl ?? `${tenantOrigin(tenant)}/v1/oauth/authorize/interaction-hook/return`,
    claims: options.claims ?? {},
    iss: tenant.tenantUrl,
    aud: tenant.hookUrl,
    iat,
    exp: iat + (options.lifetimeSeconds ?? 300),
    ...options.payload,
  };
  const token = await new SignJWT(payload).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(tenant.key);
  return { token, state };
}

export type ReturnOutcome =
  | {
      kind: 'success';
      state: string;
      claims: Record<string, unknown>;
      claimsToPersist: unknown[];
      lifetimeSeconds: number;
    }
  | { kind: 'failure'; state: string; message: string; lifetimeSeconds: number };

/** How long a returned token may live before the simulator calls it suspicious. */
const MAX_RETURN_LIFETIME_SECONDS = 60;

/** Checks the token the hook sends back, as the tenant would; throws with a plain reason. */
export async function readReturnToken(tenant: TenantIdentity, token: string, now = new Date()): Promise<ReturnOutcome> {
  const { payload } = await jwtVerify(token, tenant.key, {
    algorithms: ['HS256'],
    issuer: tenant.hookUrl,
    audience: tenant.tenantUrl,
    requiredClaims: ['exp', 'iat', 'state'],
    currentDate: now,
  });
  const lifetimeSeconds = (payload.exp ?? 0) - (payload.iat ?? 0);
  if (lifetimeSeconds <= 0 || lifetimeSeconds > MAX_RETURN_LIFETIME_SECONDS) {
    throw new Error(
      `the returned token lives ${lifetimeSeconds} s; at most ${MAX_RETURN_LIFETIME_SECONDS} s is expected`,
    );
  }
  const state = String(payload.state);
  const error = payload.error as { message?: unknown } | undefined;
  if (error !== undefined) {
    return { kind: 'failure', state, message: String(error.message), lifetimeSeconds };
  }
  if (typeof payload.claims !== 'object' || payload.claims === null || !Array.isArray(payload.claimsToPersist)) {
    throw new Error('a success token needs claims (an object) and claimsToPersist (an array)');
  }
  return {
    kind: 'success',
    state,
    claims: payload.claims as Record<string, unknown>,
    claimsToPersist: payload.claimsToPersist,
    lifetimeSeconds,
  };
}

function tenantOrigin(tenant: TenantIdentity): string {
  return new URL(tenant.tenantUrl).origin;
}
