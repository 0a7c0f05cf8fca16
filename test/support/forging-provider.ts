import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/**
 * A test double of a misbehaving OpenID provider, for the forged ID tokens only: it announces
 * itself like a real one (discovery, keys), lets anyone through its authorization endpoint at
 * once, and answers the token request with whatever ID token the test makes of the real one.
 */
export interface ForgedToken {
  /** The claims the provider would sign, to change or remove. */
  claims: JWTPayload;
  /** `provider`: its announced key; `stranger`: a key it never announced; `none`: unsigned. */
  signedWith: 'provider' | 'stranger' | 'none';
}

export interface ForgingProvider {
  readonly issuer: string;
  /** What the next token responses hold; by default a correct ID token. */
  forge(change: (token: ForgedToken) => void): void;
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export async function startForgingProvider(clientId: string): Promise<ForgingProvider> {
  const provider = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(provider.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const issued = new Map<string, { nonce: string }>();
  let change: (token: ForgedToken) => void = () => undefined;
  let issuer = '';

  const sign = async ({ claims, signedWith }: ForgedToken): Promise<string> => {
    if (signedWith === 'none') return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const key: CryptoKey = signedWith === 'provider' ? provider.privateKey : stranger.privateKey;
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' }).sign(key);
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration') {
      json({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        authorization_response_iss_parameter_supported: true,
      });
    } else if (url.pathname === '/jwks') {
      json({ keys: [jwk] });
    } else if (url.pathname === '/authorize') {
      const code = randomBytes(16).toString('base64url');
      issued.set(code, { nonce: url.searchParams.get('nonce') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri') ?? '');
      back.search = new URLSearchParams({ code, state: url.searchParams.get('state') ?? '', iss: issuer }).toString();
      res.writeHead(303, { location: back.href }).end();
    } else if (url.pathname === '/token' && req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const code = new URLSearchParams(body).get('code') ?? '';
        const grant = issued.get(code);
        issued.delete(code);
        if (!grant) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
          return;
        }
        const now = Math.floor(Date.now() / 1000);
        const token: ForgedToken = {
          claims: {
            iss: issuer,
            aud: clientId,
            sub: 'ana@example.org',
            email: 'ana@example.org',
            nonce: grant.nonce,
            iat: now,
            exp: now + 300,
            auth_time: now,
          },
          signedWith: 'provider',
        };
        change(token);
        sign(token).then(
          (idToken) =>
            json({
              access_token: randomBytes(16).toString('base64url'),
              token_type: 'Bearer',
              expires_in: 300,
              id_token: idToken,
            }),
          () => res.writeHead(500).end(),
        );
      });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    get issuer() {
      return issuer;
    },
    forge(next) {
      change = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
