import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../config/hook-config.js';
import { loadManagementSettings, loadRegistrationDefaults } from '../config/management-settings.js';
import { loadSettings } from '../config/settings.js';
import { claimsStepsRead, whenClaimsNotAsked } from '../interaction/steps/configured-step.js';
import { createConfigApi, type RegisteredHook } from '../mattr/config-api.js';
import { sameSecret } from '../mattr/hook-secret.js';
import { describeHookUrlProblems, hookUrlProblems } from '../mattr/hook-url-rules.js';
import { isLoopbackHttp } from '../web/url-rules.js';
import { normaliseUrl } from '../mattr/hook-url.js';
import { ManagementApiError, type ManagementFailure } from '../mattr/management-error.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  /** What was found; never a secret. */
  detail: string;
  /** What to do about it, for warn and fail. */
  fix?: string;
}

const REGISTER = 'run "interaction-hook register"';

/**
 * Checks the local configuration end to end, in the order a problem would show up: environment,
 * steps file, hook URL rules, credentials, tenant, then the registration against what this hook
 * uses. A check that cannot run because an earlier one failed is reported as skipped.
 */
export async function runDoctor(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, status: CheckStatus, detail: string, fix?: string) =>
    checks.push({ name, status, detail, ...(fix ? { fix } : {}) });
  const skip = (name: string, needs: string) => add(name, 'skip', `not checked: needs ${needs}`);

  const management = loadManagementSettings(env, { required: true });
  const hasCredentials = management.ok && management.settings !== null;
  const loaded = loadSettings(env, { secretMayBeFetched: hasCredentials });
  const defaults = loadRegistrationDefaults(env);
  // Both loaders check the variables they share (MATTR_TENANT_URL…): each problem is named once.
  const envErrors = [...new Set([...(loaded.ok ? [] : loaded.errors), ...(management.ok ? [] : management.errors)])];
  if (envErrors.length === 0) add('environment', 'ok', 'every variable is present and valid');
  else
    add(
      'environment',
      'fail',
      envErrors.join('; '),
      'set the variables named (docs/configuration.md and docs/registration.md)',
    );

  const hookConfigPath = defaults.ok ? (defaults.defaults.hookConfigPath ?? DEFAULT_HOOK_CONFIG) : DEFAULT_HOOK_CONFIG;
  const hookConfig = loadHookConfig(hookConfigPath, { env });
  if (hookConfig.ok) add('steps file', 'ok', `${hookConfig.config.steps.length} step(s) from ${hookConfigPath}`);
  else add('steps file', 'fail', hookConfig.errors.join('; '), 'fix HOOK_CONFIG or the file it names (docs/steps.md)');

  const rawHookUrl = defaults.ok ? defaults.defaults.hookUrl : undefined;
  const hookUrl = rawHookUrl === undefined ? undefined : normaliseUrl(rawHookUrl);
  if (hookUrl === undefined) {
    add('hook URL', 'fail', 'HOOK_URL is not set', 'set HOOK_URL to the public https URL of the callback');
  } else {
    const problems = hookUrlProblems(hookUrl, {
      allowLocalhostHttp: isLoopbackHttp(env.MATTR_TENANT_URL?.trim() ?? ''),
    });
    const demo = hookUrl.startsWith('http:')
      ? ' (http://localhost: only a local simulator in demo mode accepts it)'
      : '';
    if (problems.length === 0) add('hook URL', 'ok', `${hookUrl} follows the tenant's rules${demo}`);
    else
      add(
        'hook URL',
        'fail',
        describeHookUrlProblems('HOOK_URL', problems).join('; '),
        'change HOOK_URL (and the proxy in front of the hook) to a URL that follows them',
      );
  }

  // The steps' own checks (an OpenID provider's discovery…), which need no tenant.
  for (const step of hookConfig.ok ? hookConfig.config.steps : []) {
    for (const check of await step.doctor({ hookUrl, env })) add(check.name, check.status, check.detail, check.fix);
  }

  if (!management.ok || management.settings === null) {
    for (const name of ['credentials', 'tenant', 'registered URL', 'enabled', 'secret', 'claims', 'session timeout'])
      skip(name, 'the management variables');
    return checks;
  }
  const api = createConfigApi(management.settings);
  try {
    await api.checkCredentials();
    add('credentials', 'ok', `the auth server ${management.settings.authUrl} accepted the client`);
  } catch (error) {
    add('credentials', 'fail', messageOf(error), fixFor(error));
    for (const name of ['tenant', 'registered URL', 'enabled', 'secret', 'claims', 'session timeout'])
      skip(name, 'credentials');
    return checks;
  }

  let hook: RegisteredHook | null;
  try {
    hook = await api.getHook();
  } catch (error) {
    add('tenant', 'fail', messageOf(error), fixFor(error));
    for (const name of ['registered URL', 'enabled', 'secret', 'claims', 'session timeout']) skip(name, 'the tenant');
    return checks;
  }
  if (hook === null) {
    add('tenant', 'fail', `${api.tenantUrl} answered, but no interaction hook is registered`, REGISTER);
    for (const name of ['registered URL', 'enabled', 'secret', 'claims', 'session timeout'])
      skip(name, 'a registered hook');
    return checks;
  }
  add('tenant', 'ok', `${api.tenantUrl} answered and holds a hook`);

  if (hookUrl === undefined) skip('registered URL', 'HOOK_URL');
  else if (hook.url === hookUrl) add('registered URL', 'ok', 'the registered URL is HOOK_URL');
  else
    add(
      'registered URL',
      'fail',
      `the tenant sends users to ${hook.url}, but HOOK_URL is ${hookUrl}: every token would be refused (audience)`,
      REGISTER,
    );

  if (hook.disabled)
    add('enabled', 'fail', 'the hook is disabled: the tenant sends nobody to it', 'run "interaction-hook enable"');
  else add('enabled', 'ok', 'the hook is enabled');

  add('secret', ...secretCheck(hook, env));

  if (!hookConfig.ok) {
    skip('claims', 'the steps file');
  } else {
    const wanted = claimsStepsRead(hookConfig.config.steps);
    const missing = wanted.filter((c) => !hook.claims.includes(c));
    const extra = hook.claims.filter((c) => !wanted.includes(c));
    const list = (names: readonly string[]) => (names.length === 0 ? '(none)' : names.join(', '));
    const whenUnasked = whenClaimsNotAsked(hookConfig.config.steps, hook.claims);
    if (whenUnasked.length > 0)
      add(
        'claims',
        'fail',
        `${whenUnasked.join('; ')}: every journey would be planned as if the token lacked it`,
        REGISTER,
      );
    else if (missing.length > 0)
      add('claims', 'fail', `the steps read ${list(missing)}, which the tenant is not asked to send`, REGISTER);
    else if (extra.length > 0) {
      // The claims the steps read come from the steps file named here, which must be the one the
      // hook runs with: against another file this advice would stop claims the hook's steps need.
      add(
        'claims',
        'warn',
        `the tenant also sends ${list(extra)}, which no step of ${hookConfigPath} reads`,
        `check that HOOK_CONFIG names the steps file the hook runs with; if it does, send only what is needed: interaction-hook register --claims ${wanted.join(',')}`,
      );
    } else add('claims', 'ok', `the tenant sends what the steps read: ${list(wanted)}`);
  }

  if (!loaded.ok) skip('session timeout', 'a valid environment');
  else if (hook.sessionTimeoutInSec === loaded.settings.interactionTimeoutSeconds)
    add('session timeout', 'ok', `${hook.sessionTimeoutInSec} s on both sides`);
  else {
    const registered =
      hook.sessionTimeoutInSec === undefined ? "the tenant's default" : `${hook.sessionTimeoutInSec} s`;
    add(
      'session timeout',
      'warn',
      `the tenant allows ${registered}, the hook ${loaded.settings.interactionTimeoutSeconds} s (INTERACTION_TIMEOUT_SECONDS)`,
      `${REGISTER}, or set INTERACTION_TIMEOUT_SECONDS to match`,
    );
  }
  return checks;
}

/** Compares the secret the hook would use with the registered one, printing neither. */
function secretCheck(hook: RegisteredHook, env: NodeJS.ProcessEnv): [CheckStatus, string, string?] {
  if (hook.secret === undefined) return ['warn', 'the tenant did not return the secret, so it cannot be compared'];
  const current = env.INTERACTION_HOOK_SECRET?.trim();
  const previous = env.INTERACTION_HOOK_PREVIOUS_SECRET?.trim();
  if (!current) return ['ok', 'INTERACTION_HOOK_SECRET is not set: the hook fetches the registered secret at start-up'];
  if (sameSecret(current, hook.secret)) return ['ok', 'INTERACTION_HOOK_SECRET is the registered secret'];
  if (previous && sameSecret(previous, hook.secret)) {
    return [
      'fail',
      'INTERACTION_HOOK_PREVIOUS_SECRET is the registered secret, INTERACTION_HOOK_SECRET is not',
      'swap the two variables: the registered secret is the current one',
    ];
  }
  return [
    'fail',
    'INTERACTION_HOOK_SECRET is not the registered secret: every arriving token would be refused',
    'set INTERACTION_HOOK_SECRET from "interaction-hook status --show-secret" (or unset it to fetch at start-up)',
  ];
}

function messageOf(error: unknown): string {
  if (!(error instanceof ManagementApiError)) throw error;
  return error.message.replace(/\n\s*/g, '; ');
}

const FIXES: Record<ManagementFailure, string> = {
  unauthorized: 'check MATTR_CLIENT_ID, MATTR_CLIENT_SECRET and MATTR_AUTH_URL',
  forbidden: 'give the management client the admin or issuer role',
  unreachable: 'check MATTR_TENANT_URL and MATTR_AUTH_URL, DNS, and any proxy or firewall on the way',
  timeout: 'check the network; raise MATTR_API_TIMEOUT_SECONDS if the tenant is only slow',
  unavailable: 'try again later; the tenant or auth server is overloaded or down',
  refused: 'correct what the tenant names',
  unexpected: 'check that MATTR_TENANT_URL and MATTR_AUTH_URL point at the tenant and its auth server',
  'not-registered': REGISTER,
};

function fixFor(error: unknown): string {
  return error instanceof ManagementApiError ? FIXES[error.kind] : 'see the message';
}
