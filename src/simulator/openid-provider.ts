import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import type { default as Provider, KoaContextWithOIDC } from 'oidc-provider';

/**
 * A local OpenID provider for the demo and the tests: real oidc-provider on a loopback port, with
 * one client, and a sign-in page that takes any name (no password) and consents at once. Never for
 * production: anyone can sign in as anyone.
 */
export interface LocalProviderOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  clientId: string;
  /** Omitted: a public client (PKCE only). */
  clientSecret?: string;
  redirectUris: string[];
  /** The `acr` values the provider announces; the first is what a sign-in reaches unless `signInWith` says otherwise. */
  acrValues?: string[];
}

export interface LocalProvider {
  /** `http://127.0.0.1:<port>`: the issuer identifier, and where everything is served. */
  readonly issuer: string;
  readonly port: number;
  /** The `acr` (and `amr`) the next sign-ins reach; undefined leaves the claim out. */
  signInWith(options: { acr?: string; amr?: string[] }): void;
  /** Stops answering (connections cut), as a provider that went away; `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The two warnings oidc-provider prints as it loads and starts: that Node.js before 22 is not a
 * runtime it supports, and that its state is in memory. Both are about this local stand-in, which
 * runs fine on Node.js 20 and keeps nothing on purpose, not about the hook.
 */
const EXPECTED_WARNINGS = [
  'oidc-provider WARNING: Unsupported runtime',
  'oidc-provider WARNING: a quick start development-only in-memory adapter',
];

/** Runs `start` with those two warnings left out of the console; any other line still shows. */
async function quietly<T>(start: () => Promise<T> | T): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!EXPECTED_WARNINGS.some((expected) => typeof args[0] === 'string' && args[0].includes(expected))) warn(...args);
  };
  try {
    return await start();
  } finally {
    console.warn = warn;
  }
}

/** The claims of an account: the name typed at sign-in is its subject and, when it looks like one, its email. */
function accountClaims(accountId: string): Record<string, unknown> {
  return {
    sub: accountId,
    ...(accountId.includes('@') ? { email: accountId, email_verified: true } : {}),
    name: accountId,
  };
}

export async function startLocalProvider(options: LocalProviderOptions): Promise<LocalProvider> {
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  let server: Server = createServer((req, res) => handler(req, res));
  const port = await listen(server, options.port ?? 0);
  const issuer = `http://127.0.0.1:${port}`;
  let signIn: { acr?: string; amr?: string[] } = { acr: options.acrValues?.[0] };

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'local-1', alg: 'RS256', use: 'sig' };
  const { default: Provider } = await quietly(() => import('oidc-provider'));
  const provider = await quietly(
    () =>
      new Provider(issuer, {
        clients: [
          {
            client_id: options.clientId,
            ...(options.clientSecret === undefined
              ? { token_endpoint_auth_method: 'none' }
              : { client_secret: options.clientSecret, token_endpoint_auth_method: 'client_secret_basic' }),
            redirect_uris: options.redirectUris,
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        jwks: { keys: [jwk] },
        cookies: { keys: [randomBytes(32).toString('base64url')] },
        acrValues: options.acrValues ?? [],
        claims: { openid: ['sub', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
        // Scope claims in the ID token itself: that is what the hook reads (amr rides with openid, as no scope names it).
        conformIdTokenClaims: false,
        ttl: { AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
        features: { devInteractions: { enabled: false } },
        interactions: { url: (_ctx: KoaContextWithOIDC, interaction) => `/interaction/${interaction.uid}` },
        findAccount: (_ctx: KoaContextWithOIDC, id: string) => ({ accountId: id, claims: () => accountClaims(id) }),
        renderError: (ctx: KoaContextWithOIDC, out) => {
          ctx.type = 'text/plain';
          ctx.body = `The sign-in could not go on: ${String(out.error)}\n`;
        },
      }),
  );
  const oidc = provider.callback();

  handler = (req, res) => {
    const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) {
      oidc(req, res);
      return;
    }
    interaction(provider, req, res, () => signIn).catch(() => {
      if (!res.headersSent)
        res
          .writeHead(400, { 'content-type': 'text/plain' })
          .end('This sign-in has ended; start again from the hook.\n');
    });
  };

  return {
    issuer,
    port,
    signInWith(next) {
      signIn = next;
    },
    async stop() {
      await close(server);
    },
    async start() {
      server = createServer((req, res) => handler(req, res));
      await listen(server, port);
    },
    async close() {
      if (server.listening) await close(server);
    },
  };
}

/** The sign-in page: a name and two buttons. Signing in also consents to what the client asked for. */
async function interaction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  signIn: () => { acr?: string; amr?: string[] },
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : '';
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(signInPage(details.uid, hint));
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405).end();
    return;
  }
  const form = new URLSearchParams(await body(req));
  const login = form.get('login')?.trim() ?? '';
  if (form.has('cancel') || login === '') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const { acr, amr } = signIn();
  await provider.interactionFinished(
    req,
    res,
    {
      login: { accountId: login, ...(acr === undefined ? {} : { acr }), ...(amr ? { amr } : {}) },
      consent: { grantId: await grant.save() },
    },
    { mergeWithLastSubmission: false },
  );
}

function signInPage(uid: string, hint: string): string {
  const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Local OpenID provider</title></head>
<body><main><h1>Local OpenID provider</h1>
<p>A test provider: type any name or email address to sign in as that person.</p>
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Name or email</label> <input id="login" name="login" value="${escape(hint)}" autocomplete="username" required>
<button type="submit">Sign in</button> <button type="submit" name="cancel" value="yes" formnovalidate>Cancel</button>
</form></main></body></html>`;
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 10_000) req.destroy(new Error('form too large'));
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
