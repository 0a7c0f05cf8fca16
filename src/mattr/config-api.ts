import { AccessTokens } from './access-token.js';
import { callJson, DEFAULT_CALL_POLICY, type CallPolicy, type JsonAnswer } from './management-http.js';
import { describeRefusal, ManagementApiError, redact } from './management-error.js';

/** The interaction hook as the tenant's configuration API holds it (PROTOCOL §1.2). */
export interface InteractionHook {
  url: string;
  claims: string[];
  /** Absent when the tenant keeps its own default. */
  sessionTimeoutInSec: number | undefined;
  disabled: boolean;
}

export interface RegisteredHook extends InteractionHook {
  /** The shared secret, standard base64, as the tenant returned it. */
  secret: string | undefined;
}

/** The management client: token cache plus the two calls on the tenant's OpenID configuration. */
export interface ConfigApi {
  readonly tenantUrl: string;
  /** Obtains an access token now, to tell "credentials refused" from "tenant refused". */
  checkCredentials(): Promise<void>;
  /** The registered hook, or null when the tenant has none. */
  getHook(): Promise<RegisteredHook | null>;
  /** Registers or replaces the hook; resolves with what the tenant now holds, secret included. */
  putHook(hook: InteractionHook): Promise<RegisteredHook>;
}

const CONFIGURATION_PATH = '/v1/openid/configuration';

export interface ConfigApiOptions {
  policy?: Partial<CallPolicy>;
  /** The clock of the token cache. */
  now?: () => number;
}

/** What the configuration API is called with: plain values, whoever read them. */
export interface ManagementCredentials {
  tenantUrl: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  retries: number;
}

export function createConfigApi(settings: ManagementCredentials, options: ConfigApiOptions = {}): ConfigApi {
  const policy: CallPolicy = {
    ...DEFAULT_CALL_POLICY,
    timeoutMs: settings.timeoutMs,
    retries: settings.retries,
    ...options.policy,
  };
  const tokens = new AccessTokens(settings, policy, options.now);
  const url = `${settings.tenantUrl}${CONFIGURATION_PATH}`;
  // Every secret this client has seen, so that no error message can carry one.
  const secrets = new Set([settings.clientSecret]);

  /** One authorised call; a refused token is renewed once (it may have been revoked early). */
  async function call(method: 'GET' | 'PUT', body?: unknown): Promise<JsonAnswer> {
    for (let renewed = false; ; renewed = true) {
      const token = await tokens.get();
      const answer = await callJson(
        { method, url, headers: { authorization: `Bearer ${token}` }, body },
        policy,
        'the tenant',
      );
      if (answer.status !== 401 || renewed) return answer;
      tokens.forget();
    }
  }

  function failure(answer: JsonAnswer, method: string): ManagementApiError {
    const { status } = answer;
    if (status === 401) {
      return new ManagementApiError(
        'unauthorized',
        `The tenant refused a fresh access token (401). Check that MATTR_TENANT_URL (${settings.tenantUrl}) is the tenant the client belongs to.`,
        status,
      );
    }
    if (status === 403) {
      return new ManagementApiError(
        'forbidden',
        `The tenant refused ${method} ${CONFIGURATION_PATH} (403): the client's role may not configure the interaction hook; it needs the admin or issuer role.`,
        status,
      );
    }
    if (status >= 400)
      return new ManagementApiError(
        'refused',
        redact(describeRefusal('The tenant', status, answer.body), [...secrets]),
        status,
      );
    return new ManagementApiError(
      'unexpected',
      `The tenant answered ${method} ${CONFIGURATION_PATH} with ${status} and a body that is not an interaction hook configuration.`,
      status,
    );
  }

  function remember<T extends RegisteredHook | null>(hook: T): T {
    if (hook?.secret !== undefined) secrets.add(hook.secret);
    return hook;
  }

  const api: ConfigApi = {
    tenantUrl: settings.tenantUrl,
    async checkCredentials() {
      await tokens.get();
    },
    async getHook() {
      const answer = await call('GET');
      // The documented answer without a hook is 200 with no `interactionHook`; a 404 is read the same way.
      if (answer.status === 404) return null;
      const hook = answer.status === 200 ? readHook(answer.body) : 'malformed';
      if (hook === 'malformed') throw failure(answer, 'GET');
      return remember(hook);
    },
    async putHook(hook) {
      const answer = await call('PUT', { interactionHook: hookBody(hook) });
      if (answer.status < 200 || answer.status >= 300) throw failure(answer, 'PUT');
      const saved = readHook(answer.body);
      // Be liberal: a 2xx without the echo still means it was saved; read it back.
      if (saved === 'malformed' || saved === null) {
        const read = await api.getHook();
        if (read === null) throw failure(answer, 'PUT');
        return read;
      }
      remember(saved);
      return saved;
    },
  };
  return api;
}

function hookBody(hook: InteractionHook): Record<string, unknown> {
  return {
    url: hook.url,
    claims: hook.claims,
    ...(hook.sessionTimeoutInSec === undefined ? {} : { sessionTimeoutInSec: hook.sessionTimeoutInSec }),
    disabled: hook.disabled,
  };
}

/** The hook in a configuration body: null when there is none, 'malformed' when unreadable. */
function readHook(body: unknown): RegisteredHook | null | 'malformed' {
  if (typeof body !== 'object' || body === null) return 'malformed';
  const raw = (body as { interactionHook?: unknown }).interactionHook;
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'object') return 'malformed';
  const h = raw as Record<string, unknown>;
  if (typeof h.url !== 'string') return 'malformed';
  return {
    url: h.url,
    claims: Array.isArray(h.claims) ? h.claims.filter((c): c is string => typeof c === 'string') : [],
    sessionTimeoutInSec: typeof h.sessionTimeoutInSec === 'number' ? h.sessionTimeoutInSec : undefined,
    disabled: h.disabled === true,
    secret: typeof h.secret === 'string' && h.secret !== '' ? h.secret : undefined,
  };
}
