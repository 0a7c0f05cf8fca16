import { createSecretKey, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type Response } from 'express';
import type { TenantIdentity } from './tenant-tokens.js';
import { validateConfiguration, type StoredHook } from './management-validation.js';

/** A management API client the simulated auth server knows. */
export interface ManagementClient {
  id: string;
  secret: string;
  /** The tenant lets admin and issuer configure the hook (PROTOCOL §1.2); others get 403. */
  role?: string;
}

export interface ManagementOptions {
  /** The tenant URL: the audience a token must be asked for. */
  tenantUrl: string;
  clients: readonly ManagementClient[];
  /** Demo mode: accept an http://localhost hook URL, and say so. */
  demo?: boolean;
  /** Whether every PUT hands out a new secret (the real behaviour is unknown). */
  rotateSecretOnPut?: boolean;
  tokenLifetimeSeconds?: number;
  /** Where demo-mode notices go (besides `notices`). */
  onNotice?: (message: string) => void;
  now?: () => Date;
}

/** One management request as the simulator saw it; never a token or a secret. */
export interface ManagementCall {
  method: string;
  path: string;
  /** 0 until answered (and for ever when the client gave up first). */
  status: number;
}

export interface FailurePlan {
  /** Default 503. */
  status?: number;
  /** Which endpoint fails; default any management endpoint. */
  target?: 'token' | 'configuration' | 'any';
  retryAfterSeconds?: number;
}

export interface ManagementApi {
  router: Router;
  /** The registered hook, or null. */
  readonly hook: StoredHook | null;
  /** The current secret: standard base64 of 32 random bytes. */
  readonly secret: string;
  calls: ManagementCall[];
  notices: string[];
  /** Switches tests and the demo flip while the simulator runs. */
  switches: { rotateSecretOnPut: boolean; delayMs: number; tokenLifetimeSeconds: number };
  /** The next `count` matching requests answer with a failure instead. */
  failNext(count: number, plan?: FailurePlan): void;
  /** Puts a hook in place without a call, as if registered earlier. */
  register(hook: StoredHook): void;
  /** A new secret, as if rotated elsewhere; returns it. */
  rotateSecret(): string;
  /** Every access token handed out so far stops working. */
  revokeTokens(): void;
  /** The tenant as seen by session tokens: always the registered URL and the current secret. */
  tenantIdentity(fallbackHookUrl: string): TenantIdentity;
}

const TOKEN_PATH = '/oauth/token';
const CONFIGURATION_PATHS = ['/v1/openid/configuration', '/core/v1/openid/configuration'];
const ALLOWED_ROLES = new Set(['admin', 'issuer']);
const UNAUTHORIZED = { error: 'access_denied', error_description: 'Unauthorized' };

/**
 * The management side of a simulated MATTR VII tenant: the auth server's client-credentials
 * token endpoint and the tenant's OpenID configuration (the interaction hook), with its
 * validation and error shapes, plus switches for the failures tests need.
 */
export function createManagementApi(options: ManagementOptions): ManagementApi {
  const now = options.now ?? (() => new Date());
  const tokens = new Map<string, { expiresAt: number; role: string }>();
  const failures: Array<Required<Pick<FailurePlan, 'status' | 'target'>> & { retryAfterSeconds?: number }> = [];
  let hook: StoredHook | null = null;
  let secret = newSecret();

  const api: ManagementApi = {
    router: Router(),
    get hook() {
      return hook;
    },
    get secret() {
      return secret;
    },
    calls: [],
    notices: [],
    switches: {
      rotateSecretOnPut: options.rotateSecretOnPut ?? false,
      delayMs: 0,
      tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 14_400,
    },
    failNext(count, plan = {}) {
      for (let i = 0; i < count; i += 1)
        failures.push({
          status: plan.status ?? 503,
          target: plan.target ?? 'any',
          retryAfterSeconds: plan.retryAfterSeconds,
        });
    },
    register(next) {
      hook = { ...next, claims: [...next.claims] };
    },
    rotateSecret() {
      secret = newSecret();
      return secret;
    },
    revokeTokens() {
      tokens.clear();
    },
    tenantIdentity(fallbackHookUrl) {
      return {
        tenantUrl: options.tenantUrl,
        get hookUrl() {
          return hook?.url ?? fallbackHookUrl;
        },
        get key() {
          return createSecretKey(Buffer.from(secret, 'base64'));
        },
      };
    },
  };

  const router = api.router;
  const json = express.json({ limit: '16kb' });
  router.use([TOKEN_PATH, ...CONFIGURATION_PATHS], async (req: Request, res: Response, next: NextFunction) => {
    // Inside `use`, req.path is relative to the mount point.
    const path = new URL(req.originalUrl, 'http://simulator').pathname;
    // Recorded on arrival: a request the client gave up on still counts.
    const call: ManagementCall = { method: req.method, path, status: 0 };
    api.calls.push(call);
    res.on('finish', () => {
      call.status = res.statusCode;
    });
    if (api.switches.delayMs > 0) await sleep(api.switches.delayMs);
    const target = path === TOKEN_PATH ? 'token' : 'configuration';
    const index = failures.findIndex((f) => f.target === 'any' || f.target === target);
    const failure = index === -1 ? undefined : failures.splice(index, 1)[0];
    if (failure === undefined) {
      next();
      return;
    }
    if (failure.retryAfterSeconds !== undefined) res.set('Retry-After', String(failure.retryAfterSeconds));
    res.status(failure.status).json({
      code: failure.status === 429 ? 'TooManyRequests' : 'ServiceUnavailable',
      message: 'The simulator was told to fail this request',
    });
  });

  router.post(TOKEN_PATH, json, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') {
      res
        .status(400)
        .json({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
      return;
    }
    const client = options.clients.find((c) => c.id === body.client_id && c.secret === body.client_secret);
    if (!client || body.audience !== options.tenantUrl) {
      res.status(401).json(UNAUTHORIZED);
      return;
    }
    const token = randomBytes(24).toString('base64url');
    const lifetime = api.switches.tokenLifetimeSeconds;
    tokens.set(token, { expiresAt: now().getTime() + lifetime * 1000, role: client.role ?? 'admin' });
    res.json({ access_token: token, expires_in: lifetime, token_type: 'Bearer' });
  });

  /** The bearer token's role, or an answer already sent. */
  const role = (req: Request, res: Response): string | null => {
    const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    const known = token === undefined ? undefined : tokens.get(token);
    if (!known || known.expiresAt <= now().getTime()) {
      res.status(401).json({ code: 'Unauthorized', message: 'Unauthorized' });
      return null;
    }
    if (!ALLOWED_ROLES.has(known.role)) {
      res.status(403).json({ code: 'Forbidden', message: 'Forbidden' });
      return null;
    }
    return known.role;
  };

  const configuration = () => (hook === null ? {} : { interactionHook: { ...hook, secret } });

  router.get(CONFIGURATION_PATHS, (req, res) => {
    if (role(req, res) === null) return;
    res.json(configuration());
  });

  router.put(CONFIGURATION_PATHS, json, (req, res) => {
    if (role(req, res) === null) return;
    const result = validateConfiguration(req.body, options.demo === true);
    if (!result.ok) {
      res.status(400).json({ code: 'BadRequest', message: 'Validation Error', details: result.details });
      return;
    }
    if (result.demoLocalhost) {
      const notice = `demo mode: accepted the http://localhost hook URL ${result.hook.url}; a real tenant accepts only https URLs with a DNS name`;
      api.notices.push(notice);
      options.onNotice?.(notice);
    }
    if (api.switches.rotateSecretOnPut) secret = newSecret();
    hook = result.hook;
    res.json(configuration());
  });

  const badJson: ErrorRequestHandler = (error: { status?: number; type?: string }, _req, res, next) => {
    if (error.type !== 'entity.parse.failed' && error.status !== 413) {
      next(error);
      return;
    }
    res
      .status(error.status ?? 400)
      .json({ code: 'BadRequest', message: error.status === 413 ? 'Request body too large' : 'Malformed JSON body' });
  };
  router.use(badJson);
  return api;
}

function newSecret(): string {
  return randomBytes(32).toString('base64');
}
