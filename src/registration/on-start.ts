import type { Logger } from 'pino';
import type { HookConfig } from '../config/hook-config.js';
import type { ManagementSettings } from '../config/management-settings.js';
import type { Settings } from '../config/settings.js';
import { claimsStepsRead } from '../interaction/steps/configured-step.js';
import { createConfigApi, type RegisteredHook } from '../mattr/config-api.js';
import { sameSecret } from '../mattr/hook-secret.js';
import { ManagementApiError } from '../mattr/management-error.js';
import { desiredHook } from './desired-hook.js';
import { ensureHook } from './ensure-hook.js';

/** The secrets the running hook verifies with (current, then previous) and signs with (current). */
export interface HookSecrets {
  current: string;
  previous: string | undefined;
  /**
   * True when `previous` is the secret this process's own registration just replaced: accepted for
   * PREVIOUS_SECRET_GRACE_SECONDS. False for INTERACTION_HOOK_PREVIOUS_SECRET: accepted until restart.
   */
  previousExpires: boolean;
  /**
   * The claims the registration asks the tenant to send, when start-up read it (management
   * credentials); undefined when it did not, and cannot know them.
   */
  registeredClaims: readonly string[] | undefined;
}

export interface StartUpInput {
  settings: Settings;
  hookConfig: HookConfig;
  /** Null when no management credentials are configured: the secret must then be in the settings. */
  management: ManagementSettings | null;
  logger: Logger;
}

/**
 * What start-up does with the management API before the server listens:
 * - `HOOK_REGISTER_ON_START=true`: ensure the registration (the same idempotent logic as
 *   `register`; the URL rules were checked with the settings) and use the secret the tenant holds;
 * - credentials but no `INTERACTION_HOOK_SECRET`: fetch the secret by GET, keep it in memory only;
 * - otherwise: use the configured secrets and call nobody.
 * The secrets themselves are never logged.
 */
export async function secretsAtStart({ settings, hookConfig, management, logger }: StartUpInput): Promise<HookSecrets> {
  const configured = { current: settings.hookSecret, previous: settings.previousHookSecret };
  if (management === null || (!management.registerOnStart && configured.current !== undefined)) {
    if (configured.current === undefined)
      throw new ManagementApiError('not-registered', 'INTERACTION_HOOK_SECRET is required');
    return {
      current: configured.current,
      previous: configured.previous,
      previousExpires: false,
      registeredClaims: undefined,
    };
  }
  const api = createConfigApi(management);

  if (!management.registerOnStart) {
    const hook = withSecret(await api.getHook());
    warnAboutRegistration(hook, settings, logger);
    logger.info({ tenant: settings.tenantUrl }, 'hook secret fetched from the tenant; kept in memory only');
    return {
      current: hook.secret,
      previous: configured.previous,
      previousExpires: false,
      registeredClaims: hook.claims,
    };
  }

  const update = await ensureHook(api, (current) =>
    desiredHook(current, {
      url: settings.hookUrl,
      stepClaims: claimsStepsRead(hookConfig.steps),
      sessionTimeoutInSec: settings.interactionTimeoutSeconds,
    }),
  );
  const { secret, claims: registeredClaims } = withSecret(update.after);
  logger.info(
    { tenant: settings.tenantUrl, changed: update.changes.map((c) => c.field) },
    update.changes.length === 0 ? 'hook registration checked: already as configured' : 'hook registration updated',
  );
  warnAboutRegistration(update.after, settings, logger);
  if (configured.current !== undefined && !sameSecret(configured.current, secret)) {
    logger.warn(
      "INTERACTION_HOOK_SECRET is not the secret the tenant holds; using the tenant's. Update or remove INTERACTION_HOOK_SECRET.",
    );
  }
  // A PUT that rotated the secret must not break users whose token was signed a moment before.
  if (!update.secretRotated)
    return { current: secret, previous: configured.previous, previousExpires: false, registeredClaims };
  logger.warn(
    configured.previous === undefined
      ? `the tenant rotated the hook secret on registration: this process also accepts the old one for ${settings.previousSecretGraceSeconds} s (PREVIOUS_SECRET_GRACE_SECONDS); replicas with management credentials pick up the new one by themselves, others need it (docs/registration.md, "Rotating the hook secret")`
      : 'the tenant rotated the hook secret on registration: this process accepts INTERACTION_HOOK_PREVIOUS_SECRET, not the secret just replaced; replicas with management credentials pick up the new one by themselves, others need it (docs/registration.md, "Rotating the hook secret")',
  );
  const replaced = configured.previous ?? update.before?.secret;
  return {
    current: secret,
    previous: replaced,
    previousExpires: configured.previous === undefined && replaced !== undefined,
    registeredClaims,
  };
}

function withSecret(hook: RegisteredHook | null): RegisteredHook & { secret: string } {
  if (hook === null) {
    throw new ManagementApiError(
      'not-registered',
      'The tenant has no interaction hook registered. Run "interaction-hook register", or start with HOOK_REGISTER_ON_START=true.',
    );
  }
  if (hook.secret === undefined) {
    throw new ManagementApiError(
      'not-registered',
      'The tenant did not return the hook secret. Set INTERACTION_HOOK_SECRET to the secret it gave at registration.',
    );
  }
  return { ...hook, secret: hook.secret };
}

function warnAboutRegistration(hook: RegisteredHook, settings: Settings, logger: Logger): void {
  if (hook.url !== settings.hookUrl) {
    logger.warn(
      { registered: hook.url, hookUrl: settings.hookUrl },
      'the registered hook URL is not HOOK_URL: every arriving token will be refused (wrong audience); run "interaction-hook register"',
    );
  }
  if (hook.disabled)
    logger.warn('the hook is registered but disabled: the tenant sends nobody here until "interaction-hook enable"');
}
