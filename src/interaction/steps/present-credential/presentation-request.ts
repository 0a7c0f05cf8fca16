import { randomBytes, type KeyObject } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { CredentialQuery } from './credential-query.js';
import { SIGNATURE_ALGORITHMS } from './issuer-trust.js';
import { COSE_ALGORITHM_IDS } from './mdoc-context.js';

/** How the hook names itself to wallets, and signs its requests when its client id prefix needs it. */
export type VerifierIdentity =
  | { prefix: 'x509_san_dns'; clientId: string; key: KeyObject; alg: string; certificates: readonly string[] }
  /** Local use only: the client id is the try's response URI, the request unsigned. */
  | { prefix: 'redirect_uri' };

/** One attempt to get a presentation: what binds the wallet's answer to it. */
export interface PresentationTry {
  /** In the request and response URIs' path: unguessable, it is all that binds the wallet's POST. */
  transactionId: string;
  nonce: string;
  state: string;
}

/** How long a request object may be used after it is made. */
export const REQUEST_LIFETIME_SECONDS = 300;

const fresh = (): string => randomBytes(32).toString('base64url');

export function newTry(): PresentationTry {
  return { transactionId: fresh(), nonce: fresh(), state: fresh() };
}

/** The hook's endpoints for one try, under its origin. */
export function tryUrls(hookOrigin: string, transactionId: string): { requestUri: string; responseUri: string } {
  const base = `${hookOrigin}/interaction/present/${transactionId}`;
  return { requestUri: `${base}/request`, responseUri: `${base}/response` };
}

/** The client id the wallet sees for this try (for `redirect_uri:` it is the response URI). */
export function clientIdFor(identity: VerifierIdentity, responseUri: string): string {
  return identity.prefix === 'redirect_uri' ? `redirect_uri:${responseUri}` : identity.clientId;
}

/**
 * The request object a wallet fetches from `request_uri` (OpenID4VP 1.0 §5): a DCQL query, this
 * try's nonce and state, an answer by `direct_post` to the response URI. Signed (JAR, `x5c`) under
 * an `x509_san_dns:` client id; unsigned for `redirect_uri:`.
 */
export async function requestObject(input: {
  identity: VerifierIdentity;
  presentationTry: PresentationTry;
  query: CredentialQuery;
  hookOrigin: string;
  clientName: string;
  now: Date;
  walletNonce?: string;
}): Promise<string> {
  const { identity, presentationTry, now } = input;
  const { responseUri } = tryUrls(input.hookOrigin, presentationTry.transactionId);
  const clientId = clientIdFor(identity, responseUri);
  const iat = Math.floor(now.getTime() / 1000);
  const payload = {
    response_type: 'vp_token',
    client_id: clientId,
    response_mode: 'direct_post',
    response_uri: responseUri,
    nonce: presentationTry.nonce,
    state: presentationTry.state,
    dcql_query: input.query,
    client_metadata: {
      client_name: input.clientName,
      vp_formats_supported: {
        'dc+sd-jwt': { 'sd-jwt_alg_values': SIGNATURE_ALGORITHMS, 'kb-jwt_alg_values': SIGNATURE_ALGORITHMS },
        mso_mdoc: { issuerauth_alg_values: COSE_ALGORITHM_IDS, deviceauth_alg_values: COSE_ALGORITHM_IDS },
      },
    },
    ...(input.walletNonce === undefined ? {} : { wallet_nonce: input.walletNonce }),
  };
  const times = { iat, exp: iat + REQUEST_LIFETIME_SECONDS, aud: 'https://self-issued.me/v2' };
  if (identity.prefix === 'redirect_uri') return new UnsecuredJWT({ ...payload, ...times }).encode();
  return new SignJWT({ ...payload, ...times })
    .setProtectedHeader({ alg: identity.alg, typ: 'oauth-authz-req+jwt', x5c: [...identity.certificates] })
    .sign(identity.key);
}

/** The link that opens a wallet: on this device as a link, on another as a QR code. */
export function walletLink(walletUrl: string, clientId: string, requestUri: string): string {
  const url = new URL(walletUrl);
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('request_uri', requestUri);
  url.searchParams.set('request_uri_method', 'post');
  return url.href;
}
