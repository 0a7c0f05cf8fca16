import { randomBytes, type X509Certificate } from 'node:crypto';
import { DcqlQuery } from 'dcql';
import { decodeProtectedHeader, jwtVerify, UnsecuredJWT, type JWTPayload } from 'jose';
import { verifyCertificateChain } from '../interaction/steps/present-credential/certificate-chain.js';
import { SIGNATURE_ALGORITHMS } from '../interaction/steps/present-credential/issuer-trust.js';

/** A request the wallet fetched and believes: who asks, what, and where the answer goes. */
export interface VerifiedRequest {
  clientId: string;
  /** The name the verifier gives itself, and the host the wallet could check. */
  verifierName: string;
  verifierHost: string;
  /** How the wallet knows who asks: a certificate it trusts, or only that the verifier is on this machine. */
  checkedBy: 'certificate' | 'loopback';
  nonce: string;
  state: string;
  responseUri: string;
  query: DcqlQuery;
}

/** Why the wallet will not answer a request: a sentence for its page. */
export class RequestRefused extends Error {}

/** Wallets and verifiers disagree on clocks by this much. */
const SKEW_SECONDS = 60;
const MAX_REQUEST_CHARS = 64 * 1024;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' && value.length <= 2048 ? value : undefined;

/**
 * Opens the link a verifier showed (`client_id`, `request_uri`, `request_uri_method`) as a wallet
 * does (OpenID4VP 1.0 §5.10): fetches the request object by reference — only from `hookOrigin`, the
 * one verifier this demo wallet talks to, so a link cannot make it fetch anything else — and checks
 * it. An `x509_san_dns:` request must be a JAR signed by the key of an `x5c` chain to a certificate
 * in `trustedVerifiers`, naming the client id's host, answering to that host; a `redirect_uri:` one
 * is unsigned and accepted only for a response URI on this machine.
 */
export async function openRequest(
  link: URLSearchParams,
  options: { hookOrigin: string; trustedVerifiers: readonly X509Certificate[]; now: Date },
): Promise<VerifiedRequest> {
  const clientId = text(link.get('client_id'));
  const requestUri = url(text(link.get('request_uri')));
  if (clientId === undefined || requestUri === undefined)
    throw new RequestRefused(
      'The link does not carry a client_id and a request_uri: open the wallet from the hook’s “Open my wallet” link.',
    );
  if (requestUri.origin !== options.hookOrigin)
    throw new RequestRefused(`This demo wallet fetches requests from the demo’s hook (${options.hookOrigin}) only.`);

  const walletNonce = link.get('request_uri_method') === 'post' ? randomBytes(16).toString('base64url') : undefined;
  const jar = await fetchRequestObject(requestUri, walletNonce);
  const payload = await readRequestObject(jar, clientId, options);

  if (payload.client_id !== clientId)
    throw new RequestRefused('The request object names another client id than the link.');
  if (walletNonce !== undefined && payload.wallet_nonce !== walletNonce)
    throw new RequestRefused('The request object does not carry the nonce this wallet sent.');
  if (payload.response_type !== 'vp_token' || payload.response_mode !== 'direct_post')
    throw new RequestRefused('The request is not for a vp_token by direct_post, the only kind this wallet answers.');
  const responseUri = url(text(payload.response_uri));
  const nonce = text(payload.nonce);
  const state = text(payload.state);
  if (responseUri === undefined || nonce === undefined || state === undefined)
    throw new RequestRefused('The request lacks a response_uri, a nonce or a state.');
  const verifierHost = clientId.startsWith('x509_san_dns:')
    ? clientId.slice('x509_san_dns:'.length)
    : responseUri.hostname;
  // Where the answer goes must be the host the certificate names (§5.9.3), and the hook's origin.
  if (responseUri.hostname !== verifierHost || responseUri.origin !== options.hookOrigin)
    throw new RequestRefused(`The answer would go to ${responseUri.origin}, not to the verifier the request names.`);
  if (clientId.startsWith('redirect_uri:') && clientId !== `redirect_uri:${responseUri.href}`)
    throw new RequestRefused('A redirect_uri: client id must be the response URI.');

  let query: DcqlQuery;
  try {
    query = DcqlQuery.parse(payload.dcql_query as DcqlQuery.Input);
    DcqlQuery.validate(query);
  } catch {
    throw new RequestRefused('The request’s dcql_query is not a DCQL query this wallet understands.');
  }
  const metadata = payload.client_metadata as { client_name?: unknown } | undefined;
  return {
    clientId,
    verifierName: text(metadata?.client_name)?.slice(0, 100) ?? verifierHost,
    verifierHost,
    checkedBy: clientId.startsWith('x509_san_dns:') ? 'certificate' : 'loopback',
    nonce,
    state,
    responseUri: responseUri.href,
    query,
  };
}

async function fetchRequestObject(requestUri: URL, walletNonce: string | undefined): Promise<string> {
  const answer = await exchange(requestUri, {
    method: walletNonce === undefined ? 'GET' : 'POST',
    headers: { accept: 'application/oauth-authz-req+jwt' },
    ...(walletNonce === undefined ? {} : { body: new URLSearchParams({ wallet_nonce: walletNonce }) }),
  });
  if (answer === undefined) throw new RequestRefused('The verifier could not be reached for the request.');
  const { body } = answer;
  if (answer.status !== 200)
    throw new RequestRefused(
      `The verifier would not hand out the request (${answer.status}: ${errorDescription(body)}). A request can be opened once: start again on the hook’s page.`,
    );
  if (body.length > MAX_REQUEST_CHARS) throw new RequestRefused('The request object is too large.');
  return body.trim();
}

/** The request object's claims, once its signature (or, for `redirect_uri:`, its being local) holds. */
async function readRequestObject(
  jar: string,
  clientId: string,
  options: { trustedVerifiers: readonly X509Certificate[]; now: Date },
): Promise<JWTPayload> {
  const checks = {
    audience: 'https://self-issued.me/v2',
    currentDate: options.now,
    clockTolerance: SKEW_SECONDS,
    requiredClaims: ['exp'],
  };
  try {
    if (clientId.startsWith('x509_san_dns:')) {
      const header = decodeProtectedHeader(jar);
      let leaf: X509Certificate;
      try {
        leaf = verifyCertificateChain(header.x5c, options.trustedVerifiers, options.now);
      } catch {
        throw new RequestRefused('The request is signed with a certificate this wallet does not trust.');
      }
      if (leaf.checkHost(clientId.slice('x509_san_dns:'.length), { subject: 'never' }) === undefined)
        throw new RequestRefused('The request’s certificate does not name the client id’s host.');
      return (
        await jwtVerify(jar, leaf.publicKey, {
          ...checks,
          typ: 'oauth-authz-req+jwt',
          algorithms: SIGNATURE_ALGORITHMS,
        })
      ).payload;
    }
    if (clientId.startsWith('redirect_uri:')) {
      const { hostname } = new URL(clientId.slice('redirect_uri:'.length));
      if (!LOOPBACK.has(hostname))
        throw new RequestRefused(
          'An unsigned (redirect_uri:) request is answered only for a verifier on this machine.',
        );
      return UnsecuredJWT.decode(jar, checks).payload;
    }
  } catch (error) {
    if (error instanceof RequestRefused) throw error;
    throw new RequestRefused(`The request object does not hold: ${(error as Error).message}.`);
  }
  throw new RequestRefused('This wallet knows the x509_san_dns: and redirect_uri: client ids only.');
}

/**
 * One request to the verifier and its whole answer, or undefined when it could not be had: a wallet
 * follows no redirect and waits 5 seconds at most.
 */
export async function exchange(
  target: URL | string,
  init: RequestInit,
): Promise<{ status: number; body: string } | undefined> {
  try {
    const answer = await fetch(target, { ...init, redirect: 'error', signal: AbortSignal.timeout(5000) });
    return { status: answer.status, body: await answer.text() };
  } catch {
    return undefined;
  }
}

function url(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The `error_description` of an OAuth error answer, if it has one, cut short. */
export function errorDescription(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const described = [parsed.error_description, parsed.error].find((value) => typeof value === 'string');
    return typeof described === 'string' ? described.slice(0, 200) : 'no description';
  } catch {
    return 'no description';
  }
}
