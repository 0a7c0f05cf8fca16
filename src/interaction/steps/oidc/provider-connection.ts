import * as client from 'openid-client';
import { classifyExchangeError, ProviderAwayError } from './oidc-failures.js';
import type { OidcStepConfig } from './oidc-schema.js';

/** Where the provider sends the user back: one path for every oidc step, under the hook's origin. */
const OIDC_RETURN_PATH = '/interaction/return/oidc';

/** The redirect URI to register at the provider, from HOOK_URL. */
export function oidcRedirectUri(hookUrl: string): string {
  return new URL(OIDC_RETURN_PATH, new URL(hookUrl).origin).href;
}

/** Seconds a request to the provider may take during a journey, and for a readiness probe. */
const REQUEST_TIMEOUT_SECONDS = 10;
const PROBE_TIMEOUT_SECONDS = 3;

/** Why discovery did not give a usable provider: away (try later), or a document this hook cannot use. */
export class DiscoveryError extends Error {
  constructor(
    readonly kind: 'away' | 'unusable',
    message: string,
  ) {
    super(message);
    this.name = 'DiscoveryError';
  }
}

/**
 * Fetch for every request to the provider: a request that gets no answer, or a server error,
 * becomes a ProviderAwayError, so that "away" is one thing the step can tell apart from "refused".
 */
const guardedFetch: client.CustomFetch = async (url, options) => {
  let response: Response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    throw new ProviderAwayError({ cause: error });
  }
  if (response.status >= 500) throw new ProviderAwayError();
  return response;
};

/**
 * The client's authentication at the token endpoint: client_secret_basic unless the provider
 * announces only client_secret_post; none (PKCE alone) for a public client.
 */
function clientAuthentication(config: OidcStepConfig): client.ClientAuth {
  const secret = config.clientSecret;
  if (!secret) return client.None();
  return (as, metadata, body, headers) => {
    const methods = as.token_endpoint_auth_methods_supported;
    const post =
      Array.isArray(methods) && methods.includes('client_secret_post') && !methods.includes('client_secret_basic');
    (post ? client.ClientSecretPost(secret.reveal()) : client.ClientSecretBasic(secret.reveal()))(
      as,
      metadata,
      body,
      headers,
    );
  };
}

/** The provider's configuration from its discovery document, ready for the code flow with PKCE. */
export async function discoverProvider(
  config: OidcStepConfig,
  timeoutSeconds = REQUEST_TIMEOUT_SECONDS,
): Promise<client.Configuration> {
  let discovered: client.Configuration;
  try {
    discovered = await client.discovery(
      new URL(config.issuer),
      config.clientId,
      undefined,
      clientAuthentication(config),
      {
        [client.customFetch]: guardedFetch,
        timeout: timeoutSeconds,
        // The ID token's signature checked with the provider's keys too, not only its claims. The
        // library marks allowInsecureRequests deprecated to make it stand out: it is used only for
        // an issuer on a loopback host (oidc-schema.ts).
        // eslint-disable-next-line @typescript-eslint/no-deprecated
        execute: [...(config.insecure ? [client.allowInsecureRequests] : []), client.enableNonRepudiationChecks],
      },
    );
  } catch (error) {
    if (classifyExchangeError(error) === 'away')
      throw new DiscoveryError('away', 'the provider did not answer its discovery request');
    throw new DiscoveryError(
      'unusable',
      'it serves no usable discovery document at /.well-known/openid-configuration (whose "issuer" must equal the configured one exactly)',
    );
  }
  const metadata = discovered.serverMetadata();
  const methods = metadata.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256'))
    throw new DiscoveryError('unusable', 'the provider does not announce PKCE with S256');
  const types = metadata.response_types_supported;
  if (Array.isArray(types) && !types.includes('code'))
    throw new DiscoveryError('unusable', 'the provider does not announce the authorization code flow');
  // The step page's Content-Security-Policy lets its form lead to the issuer's origin only (OidcStep.sendsTo).
  const authorize = metadata.authorization_endpoint;
  if (typeof authorize !== 'string' || new URL(authorize).origin !== new URL(config.issuer).origin) {
    throw new DiscoveryError(
      'unusable',
      'its authorization endpoint is not on the issuer’s own origin, where the step page lets the browser go',
    );
  }
  return discovered;
}

/**
 * One step's connection to its provider: discovered on first use and kept; a failed discovery is
 * tried again on the next use, so that a provider that was away at start-up is found once back.
 */
export class ProviderConnection {
  #configuration: Promise<client.Configuration> | undefined;

  constructor(private readonly config: OidcStepConfig) {}

  configuration(): Promise<client.Configuration> {
    this.#configuration ??= discoverProvider(this.config).catch((error: unknown) => {
      this.#configuration = undefined;
      throw error;
    });
    return this.#configuration;
  }

  /** Whether the provider answers its discovery now, within a few seconds. */
  async probe(): Promise<boolean> {
    try {
      await discoverProvider(this.config, PROBE_TIMEOUT_SECONDS);
      return true;
    } catch {
      return false;
    }
  }
}
