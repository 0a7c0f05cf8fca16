import { X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader } from 'jose';
import type TestAgent from 'supertest/lib/agent.js';
import type { Response } from 'supertest';
import { present, type PresentOptions, type TestHolder } from './test-holder.js';
import type { IssuedCredential } from './test-issuer.js';

/** A request object as the wallet read it, after checking the verifier's signature. */
export interface WalletRequest {
  clientId: string;
  nonce: string;
  state: string;
  responseUri: string;
  clientName: string | undefined;
  /** The credential formats the verifier says it accepts (`vp_formats_supported`). */
  formats: string[];
  credentialQueryId: string;
  claims: unknown;
  walletNonce: string | undefined;
}

/** Makes the wallet's presentation for a request it has read, with any deliberate fault a test asks for. */
export type Presenter<Options> = (request: WalletRequest, options: Partial<Options>) => Promise<string>;

/** Presents an SD-JWT VC with key binding to the request's nonce and client id. */
export function sdJwtPresenter(holder: TestHolder, credential: IssuedCredential): Presenter<PresentOptions> {
  return (request, options) => present(credential, { holder, nonce: request.nonce, aud: request.clientId, ...options });
}

/**
 * A wallet written from OpenID4VP 1.0: it opens the link the hook shows, fetches the request object
 * by reference (GET, or POST with a wallet nonce), checks its signature against the x5c leaf that
 * must name the client id's host, and posts its answer to the response URI with `direct_post`.
 */
export class TestWallet<Options extends object = PresentOptions> {
  constructor(
    /** A cookie-less client of the hook: a wallet has no session with it. */
    private readonly hook: () => TestAgent,
    private readonly presenter: Presenter<Options>,
  ) {}

  /** Opens `link`: fetches and verifies the request. */
  async receive(link: string, method: 'get' | 'post' = 'get'): Promise<WalletRequest> {
    const res = await this.fetchRequest(link, method);
    if (res.status !== 200) throw new Error(`the request_uri answered ${res.status}: ${res.text}`);
    return this.read(new URL(link).searchParams.get('client_id') ?? '', res.text);
  }

  /** The request_uri's raw answer, for the tests of its single use. */
  fetchRequest(link: string, method: 'get' | 'post' = 'get', walletNonce = 'wallet-nonce-1'): Promise<Response> {
    const requestUri = new URL(new URL(link).searchParams.get('request_uri') ?? '');
    const path = requestUri.pathname + requestUri.search;
    return method === 'get'
      ? this.hook().get(path).buffer(true)
      : this.hook().post(path).type('form').send({ wallet_nonce: walletNonce }).buffer(true);
  }

  private async read(clientId: string, jar: string): Promise<WalletRequest> {
    const header = decodeProtectedHeader(jar);
    let payload: Record<string, unknown>;
    if (clientId.startsWith('x509_san_dns:')) {
      if (header.typ !== 'oauth-authz-req+jwt' || !Array.isArray(header.x5c))
        throw new Error('the request object is not a signed JAR with x5c');
      const leaf = new X509Certificate(Buffer.from(String(header.x5c[0]), 'base64'));
      if (leaf.checkHost(clientId.slice('x509_san_dns:'.length), { subject: 'never' }) === undefined)
        throw new Error('the certificate does not name the client id');
      payload = JSON.parse(new TextDecoder().decode((await compactVerify(jar, leaf.publicKey)).payload)) as Record<
        string,
        unknown
      >;
    } else {
      if (header.alg !== 'none') throw new Error('a redirect_uri client sends unsigned requests');
      payload = JSON.parse(Buffer.from(jar.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    }
    if (payload.client_id !== clientId) throw new Error('the request object is for another client id');
    if (payload.response_type !== 'vp_token' || payload.response_mode !== 'direct_post')
      throw new Error('not a vp_token direct_post request');
    const query = payload.dcql_query as { credentials: Array<{ id: string; claims: unknown }> };
    const [asked] = query.credentials;
    return {
      clientId,
      nonce: String(payload.nonce),
      state: String(payload.state),
      responseUri: String(payload.response_uri),
      clientName: (payload.client_metadata as { client_name?: string } | undefined)?.client_name,
      formats: Object.keys(
        (payload.client_metadata as { vp_formats_supported?: object } | undefined)?.vp_formats_supported ?? {},
      ),
      credentialQueryId: asked?.id ?? '',
      claims: asked?.claims,
      walletNonce: typeof payload.wallet_nonce === 'string' ? payload.wallet_nonce : undefined,
    };
  }

  /** The vp_token for `request`: the credential presented, bound to its nonce and client id. */
  async vpToken(request: WalletRequest, options: Partial<Options> = {}): Promise<string> {
    const presentation = await this.presenter(request, options);
    return JSON.stringify({ [request.credentialQueryId]: [presentation] });
  }

  /** Posts a form to the response URI (another try's, when a test says so). */
  post(responseUri: string, form: Record<string, string>): Promise<Response> {
    return this.hook().post(new URL(responseUri).pathname).type('form').send(form);
  }

  /** Posts a vp_token as it is, however malformed, with the request's state. */
  answer(request: WalletRequest, vpToken: string): Promise<Response> {
    return this.post(request.responseUri, { vp_token: vpToken, state: request.state });
  }

  async share(request: WalletRequest, options: Partial<Options> = {}): Promise<Response> {
    return this.post(request.responseUri, { vp_token: await this.vpToken(request, options), state: request.state });
  }

  refuse(request: WalletRequest): Promise<Response> {
    return this.post(request.responseUri, {
      error: 'access_denied',
      error_description: 'The user said no',
      state: request.state,
    });
  }
}
