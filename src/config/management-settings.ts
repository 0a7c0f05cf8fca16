import { z } from 'zod';
import { describeHookUrlProblems, hookUrlProblems } from '../mattr/hook-url-rules.js';
import { isLoopbackHttp, keepsUrlRules } from '../web/url-rules.js';
import type { ManagementCredentials } from '../mattr/config-api.js';
import { normaliseUrl } from '../mattr/hook-url.js';
import { httpUrl, integer } from './env-values.js';
import { settingsSchema } from './settings.js';

/**
 * What the management client needs (where to get a token, which tenant, with which credentials;
 * `authUrl` is `MATTR_AUTH_URL`, or derived from a tenant URL of the standard form), and when.
 */
export interface ManagementSettings extends ManagementCredentials {
  /** `HOOK_REGISTER_ON_START=true`: the server ensures its registration before it listens. */
  registerOnStart: boolean;
}

/** `settings` is null when no management credentials are configured (and none are required). */
export type ManagementSettingsResult =
  { ok: true; settings: ManagementSettings | null } | { ok: false; errors: string[] };

/** `https://<name>.vii.<region>.mattr.global`: the form whose auth server can be derived. */
const STANDARD_TENANT = /^https:\/\/[a-z0-9-]+\.vii\.([a-z]{2}\d{2})\.mattr\.global$/i;

/** The auth server of a tenant URL of the standard form, else undefined. */
export function derivedAuthUrl(tenantUrl: string): string | undefined {
  const region = STANDARD_TENANT.exec(tenantUrl)?.[1];
  return region === undefined ? undefined : `https://auth.${region.toLowerCase()}.mattr.global`;
}

const schema = z.object({
  MATTR_TENANT_URL: settingsSchema.shape.MATTR_TENANT_URL,
  MATTR_AUTH_URL: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .pipe(httpUrl('MATTR_AUTH_URL').optional()),
  MATTR_API_TIMEOUT_SECONDS: integer('MATTR_API_TIMEOUT_SECONDS', 10, 1, 120),
  MATTR_API_RETRIES: integer('MATTR_API_RETRIES', 3, 0, 10),
});

const registerOnStartSchema = z
  .string()
  .trim()
  .optional()
  .refine((v) => v === undefined || ['', 'true', 'false'].includes(v), 'HOOK_REGISTER_ON_START must be true or false')
  .transform((v) => v === 'true');

/**
 * Reads the management API settings. Without `MATTR_CLIENT_ID` and `MATTR_CLIENT_SECRET` the
 * server simply runs without the management API; `required` (the CLI) makes them mandatory.
 * Every problem is its own sentence; the client secret is never part of one.
 */
export function loadManagementSettings(
  env: NodeJS.ProcessEnv,
  options: { required?: boolean } = {},
): ManagementSettingsResult {
  const clientId = nonEmpty(env.MATTR_CLIENT_ID);
  const clientSecret = nonEmpty(env.MATTR_CLIENT_SECRET);
  const flag = registerOnStartSchema.safeParse(env.HOOK_REGISTER_ON_START);
  if (!flag.success) return { ok: false, errors: flag.error.issues.map((issue) => issue.message) };
  const registerOnStart = flag.data;

  if (clientId === undefined && clientSecret === undefined && !options.required) {
    // Without credentials nothing else here is used, so nothing else here can be wrong.
    if (!registerOnStart) return { ok: true, settings: null };
    return {
      ok: false,
      errors: [
        'HOOK_REGISTER_ON_START=true needs MATTR_CLIENT_ID and MATTR_CLIENT_SECRET (a management API client with the admin or issuer role)',
      ],
    };
  }
  const parsed = schema.safeParse(env);
  const errors = parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
  if (clientId === undefined)
    errors.push('MATTR_CLIENT_ID is required: the management API client id (role admin or issuer)');
  if (clientSecret === undefined) errors.push('MATTR_CLIENT_SECRET is required: the management API client secret');
  if (!parsed.success || clientId === undefined || clientSecret === undefined) return { ok: false, errors };

  const v = parsed.data;
  const authUrl = v.MATTR_AUTH_URL ?? derivedAuthUrl(v.MATTR_TENANT_URL);
  if (authUrl === undefined) {
    errors.push(
      'MATTR_AUTH_URL is required when MATTR_TENANT_URL is not of the form https://<name>.vii.<region>.mattr.global (e.g. https://auth.au01.mattr.global)',
    );
  }
  for (const [name, url] of [
    ['MATTR_TENANT_URL', v.MATTR_TENANT_URL],
    ['MATTR_AUTH_URL', authUrl],
  ] as const) {
    if (url !== undefined && !keepsUrlRules(url, { http: 'loopback' })) {
      errors.push(
        `${name} must use https:// (http:// only for a simulator on this machine): the client secret and tokens travel to it`,
      );
    }
  }
  // Registering at start-up with a URL the tenant would refuse: say so before any call.
  const hookUrl = env.HOOK_URL?.trim();
  if (registerOnStart && hookUrl) {
    errors.push(
      ...describeHookUrlProblems(
        'HOOK_URL',
        hookUrlProblems(normaliseUrl(hookUrl), { allowLocalhostHttp: isLoopbackHttp(v.MATTR_TENANT_URL) }),
      ),
    );
  }
  if (errors.length > 0 || authUrl === undefined) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      tenantUrl: v.MATTR_TENANT_URL,
      authUrl,
      clientId,
      clientSecret,
      timeoutMs: v.MATTR_API_TIMEOUT_SECONDS * 1000,
      retries: v.MATTR_API_RETRIES,
      registerOnStart,
    },
  };
}

/** What `register` wants when no option says otherwise. */
export interface RegistrationDefaults {
  /** `HOOK_URL` as written (the URL rules are checked by the caller); undefined when unset. */
  hookUrl: string | undefined;
  /** `INTERACTION_TIMEOUT_SECONDS`, so the tenant and the hook give the user the same time. */
  sessionTimeoutInSec: number;
  hookConfigPath: string | undefined;
}

const defaultsSchema = z.object({
  HOOK_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v)),
  INTERACTION_TIMEOUT_SECONDS: settingsSchema.shape.INTERACTION_TIMEOUT_SECONDS,
  HOOK_CONFIG: settingsSchema.shape.HOOK_CONFIG,
});

export function loadRegistrationDefaults(
  env: NodeJS.ProcessEnv,
): { ok: true; defaults: RegistrationDefaults } | { ok: false; errors: string[] } {
  const parsed = defaultsSchema.safeParse(env);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((issue) => issue.message) };
  return {
    ok: true,
    defaults: {
      hookUrl: parsed.data.HOOK_URL,
      sessionTimeoutInSec: parsed.data.INTERACTION_TIMEOUT_SECONDS,
      hookConfigPath: parsed.data.HOOK_CONFIG,
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
