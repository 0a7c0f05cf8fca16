import { callJson, type CallPolicy } from './management-http.js';
import { describeRefusal, ManagementApiError, redact } from './management-error.js';

export interface ClientCredentials {
  authUrl: string;
  /** The token's audience: the tenant URL, with https://. */
  tenantUrl: string;
  clientId: string;
  clientSecret: string;
}

/** A token is renewed this long before it runs out, or a tenth of its life if that is shorter. */
const RENEW_BEFORE_MS = 60_000;
/** When the auth server gives no `expires_in`, the token is used for this long only. */
const UNKNOWN_LIFETIME_MS = 60_000;

/**
 * Access tokens for the management API by client credentials (PROTOCOL §1.1), cached until
 * shortly before they expire. Concurrent callers share one request.
 */
export class AccessTokens {
  private cached: { token: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly credentials: ClientCredentials,
    private readonly policy: CallPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Drops the cached token, e.g. after the tenant refused it. */
  forget(): void {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const { authUrl, tenantUrl, clientId, clientSecret } = this.credentials;
    const obtainedAt = this.now();
    const answer = await callJson(
      {
        method: 'POST',
        url: `${authUrl}/oauth/token`,
        body: {
          client_id: clientId,
          client_secret: clientSecret,
          audience: tenantUrl,
          grant_type: 'client_credentials',
        },
      },
      this.policy,
      'the auth server',
    );
    const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as Record<
      string,
      unknown
    >;
    if (answer.status === 401 || answer.status === 403) {
      const why =
        [body.error, body.error_description].filter((x) => typeof x === 'string').join(': ') || 'no reason given';
      throw new ManagementApiError(
        'unauthorized',
        redact(
          `The auth server refused the client credentials (${answer.status} ${why}). Check MATTR_CLIENT_ID and MATTR_CLIENT_SECRET, and that they belong to the tenant ${tenantUrl} (the token's audience) and to the auth server ${authUrl}.`,
          [clientSecret],
        ),
        answer.status,
      );
    }
    if (answer.status >= 400) {
      throw new ManagementApiError(
        'refused',
        redact(describeRefusal('The auth server', answer.status, answer.body), [clientSecret]),
        answer.status,
      );
    }
    const token = body.access_token;
    if (answer.status !== 200 || typeof token !== 'string' || token === '') {
      throw new ManagementApiError(
        'unexpected',
        `The auth server answered ${answer.status} without an access_token; check MATTR_AUTH_URL (${authUrl}).`,
        answer.status,
      );
    }
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in * 1000 : undefined;
    const life = expiresIn ?? UNKNOWN_LIFETIME_MS;
    this.cached = { token, renewAt: obtainedAt + life - Math.min(RENEW_BEFORE_MS, life / 10) };
    return token;
  }
}
