import type { AnyStepType } from '../interaction/steps/step-type.js';
import { STEP_TYPES } from '../interaction/steps/registry.js';
import { typesIn } from '../interaction/steps/configured-steps.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig, type HookConfig } from './hook-config.js';
import { loadManagementSettings, type ManagementSettings } from './management-settings.js';
import { loadSettings, type Settings } from './settings.js';

/** Everything the hook is told, checked once: the settings in their sections, the management API, the steps. */
export interface Configuration {
  /** The http, secrets, storage, ledger and ops sections (see HttpSettings … OpsSettings in settings.ts). */
  settings: Settings;
  /** Null when no management credentials are configured. */
  management: ManagementSettings | null;
  hookConfig: HookConfig;
  /** What each step type of the steps file read from the environment (SMTP, a client secret…), by type. */
  stepSettings: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  warnings: string[];
}

export type ConfigurationResult = { ok: true; configuration: Configuration } | { ok: false; problems: string[] };

/**
 * Reads the environment and the steps file it names, and reports every bad or missing variable
 * and every problem of the file in one go, each once: the operator fixes them all in one round.
 */
export function loadConfiguration(env: NodeJS.ProcessEnv, options: { types?: readonly AnyStepType[] } = {}): ConfigurationResult {
  const types = options.types ?? STEP_TYPES;
  const management = loadManagementSettings(env);
  const loaded = loadSettings(env, { secretMayBeFetched: !management.ok || management.settings !== null });
  const problems: string[] = [...(loaded.ok ? [] : loaded.errors), ...(management.ok ? [] : management.errors)];

  const file = env.HOOK_CONFIG?.trim() || DEFAULT_HOOK_CONFIG;
  const hookConfig = loadHookConfig(file, { types, env });
  if (!hookConfig.ok) problems.push(...hookConfig.errors);

  const stepSettings: Record<string, Readonly<Record<string, unknown>>> = {};
  if (hookConfig.ok) {
    for (const type of typesIn(hookConfig.config.steps, types)) {
      const read = type.environment?.(env);
      if (read === undefined) continue;
      if (read.ok) stepSettings[type.type] = read.settings;
      else problems.push(...read.problems);
    }
  }
  if (problems.length > 0 || !loaded.ok || !management.ok || !hookConfig.ok) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, configuration: { settings: loaded.settings, management: management.settings, hookConfig: hookConfig.config, stepSettings, warnings: loaded.warnings } };
}

/** The process's environment: read here, and only here, for the entry points that pass it on. */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
