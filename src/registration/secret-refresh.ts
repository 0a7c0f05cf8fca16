import type { Logger } from 'pino';
import type { ManagementSettings } from '../config/management-settings.js';
import { createConfigApi, type ConfigApi } from '../mattr/config-api.js';
import { decodeHookSecret, keyFingerprint, secretFingerprint } from '../mattr/hook-secret.js';
import type { HookKeys } from '../mattr/hook-keys.js';
import { ManagementApiError } from '../mattr/management-error.js';

/**
 * At most one fetch of the tenant's secret per this interval per process: a flood of forged
 * tokens then costs the tenant one GET a minute, and a rotated secret is picked up within a minute
 * at worst (when a forged token used the last fetch just before the change).
 */
const SECRET_REFRESH_INTERVAL_MS = 60_000;

/**
 * A user waits on the fetch, and a retry would multiply what a flood costs the tenant: one
 * attempt, over sooner than the start-up calls.
 */
const REFRESH_TIMEOUT_MS = 5_000;

export type SecretRefreshOutcome = 'changed' | 'unchanged' | 'failed';

export interface SecretRefreshMetrics {
  secretRefreshed(outcome: SecretRefreshOutcome): void;
}

export interface SecretRefreshInput {
  api: ConfigApi;
  keys: HookKeys;
  /** How long the replaced key is still accepted (PREVIOUS_SECRET_GRACE_SECONDS). */
  graceSeconds: number;
  /** Whether the current secret came from INTERACTION_HOOK_SECRET, which a change makes stale. */
  secretFromEnvironment: boolean;
  logger: Logger;
  metrics?: SecretRefreshMetrics;
  now?: () => Date;
}

/** The management client the live refresh uses: the configured one, minus retries, with a shorter timeout. */
export function refreshConfigApi(management: ManagementSettings): ConfigApi {
  return createConfigApi(management, {
    policy: { retries: 0, timeoutMs: Math.min(management.timeoutMs, REFRESH_TIMEOUT_MS) },
  });
}

/**
 * Asks the tenant for its hook secret again, when an arriving token's signature matches none of
 * the keys held: concurrent callers share one fetch, and a fetch started less than
 * SECRET_REFRESH_INTERVAL_MS ago answers 'skipped' without calling. Never rejects; a failure is
 * logged once per fetch, by kind and message (ManagementApiError messages carry no secret).
 */
export function secretRefresh(input: SecretRefreshInput): () => Promise<SecretRefreshOutcome | 'skipped'> {
  const { api, keys, logger } = input;
  const now = input.now ?? (() => new Date());
  let pending: Promise<SecretRefreshOutcome> | undefined;
  let lastStarted: number | undefined;
  let fromEnvironment = input.secretFromEnvironment;

  async function fetchAndApply(): Promise<SecretRefreshOutcome> {
    let secret: string;
    try {
      const hook = await api.getHook();
      if (hook?.secret === undefined)
        throw new ManagementApiError(
          'not-registered',
          hook === null
            ? 'The tenant has no interaction hook registered.'
            : 'The tenant did not return the hook secret.',
        );
      secret = hook.secret;
    } catch (error) {
      const kind = error instanceof ManagementApiError ? error.kind : 'unexpected';
      const why = error instanceof ManagementApiError ? error.message : 'an unexpected error';
      logger.warn(
        { kind },
        `hook secret could not be fetched again from the tenant: ${why} Arrivals signed with a secret this process does not hold are refused until it can be.`,
      );
      return 'failed';
    }
    const fresh = decodeHookSecret(secret);
    if (fresh === null) {
      logger.warn(
        { kind: 'unexpected' },
        'hook secret could not be fetched again from the tenant: the secret it returned is not 32 bytes of base64',
      );
      return 'failed';
    }
    if (fresh.equals(keys.current)) return 'unchanged';
    const replaced = keys.current;
    const until = new Date(now().getTime() + input.graceSeconds * 1000);
    keys.replace(fresh, until);
    logger.warn(
      {
        fingerprint: secretFingerprint(secret),
        previousFingerprint: keyFingerprint(replaced),
        previousAcceptedUntil: until.toISOString(),
      },
      'hook secret changed at the tenant; now signing with the new one',
    );
    if (fromEnvironment) {
      fromEnvironment = false;
      logger.warn(
        'INTERACTION_HOOK_SECRET is no longer the secret the tenant holds: this process uses the new one, and so will any replica with management credentials; update INTERACTION_HOOK_SECRET, or remove it to have the secret fetched at start-up',
      );
    }
    return 'changed';
  }

  return () => {
    if (pending) return pending;
    const at = now().getTime();
    // A clock set back is not a reason to wait: only a fetch in the last interval is.
    if (lastStarted !== undefined && at - lastStarted >= 0 && at - lastStarted < SECRET_REFRESH_INTERVAL_MS)
      return Promise.resolve('skipped');
    lastStarted = at;
    pending = fetchAndApply()
      .then((outcome) => {
        input.metrics?.secretRefreshed(outcome);
        return outcome;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
}
