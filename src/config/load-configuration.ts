import type { ConfiguredStep, RegisteredStepType } from '../interaction/steps/configured-step.js';
import { STEP_TYPES } from '../interaction/steps/registry.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig, type HookConfig } from './hook-config.js';
import { loadManagementSettings, type ManagementSettings } from './management-settings.js';
import { loadSettings, type Settings } from './settings.js';

/** Everything the hook is told, checked once: the settings in their sections, the management API, the steps. */
export interface Configuration {
  /** The http, secrets, storage, ledger and ops sections (see HttpSettings … OpsSettings in settings.ts). */
  settings: Settings;
  /** Null when no management credentials are configured. */
  management: ManagementSettings | null;
  /** The steps file, each step with what its type read from the environment (SMTP, a client secret…). */
  hookConfig: HookConfig;
  warnings: string[];
}

export type ConfigurationResult = { ok: true; configuration: Configuration } | { ok: false; problems: string[] };

/**
 * Reads the environment and the steps file it names, and reports every bad or missing variable
 * and every problem of the file in one go, each once: the operator fixes them all in one round.
 */
export function loadConfiguration(
  env: NodeJS.ProcessEnv,
  options: { types?: readonly RegisteredStepType[] } = {},
): ConfigurationResult {
  const types = options.types ?? STEP_TYPES;
  const management = loadManagementSettings(env);
  const loaded = loadSettings(env, { secretMayBeFetched: !management.ok || management.settings !== null });
  const problems: string[] = [...(loaded.ok ? [] : loaded.errors), ...(management.ok ? [] : management.errors)];

  const file = env.HOOK_CONFIG?.trim() || DEFAULT_HOOK_CONFIG;
  const hookConfig = loadHookConfig(file, { types, env });
  if (!hookConfig.ok) problems.push(...hookConfig.errors);

  const steps: ConfiguredStep[] = [];
  for (const step of hookConfig.ok ? hookConfig.config.steps : []) {
    const read = step.withEnvironment(env);
    if (read.ok) steps.push(read.step);
    else problems.push(...read.problems);
  }
  if (problems.length > 0 || !loaded.ok || !management.ok || !hookConfig.ok)
    return { ok: false, problems: [...new Set(problems)] };
  return {
    ok: true,
    configuration: {
      settings: loaded.settings,
      management: management.settings,
      hookConfig: { ...hookConfig.config, steps },
      warnings: loaded.warnings,
    },
  };
}

/** The process's environment: read here, and only here, for the entry points that pass it on. */
export function processEnvironment(): NodeJS.ProcessEnv {
  return process.env;
}
