import type { StepConfig } from '../../config/hook-config.js';
import { STEP_TYPES } from './registry.js';
import type { Step } from './step.js';
import type { AnyStepType, StepServices } from './step-type.js';

/** The type of a configured step: every config was made by a type in `types`. */
export function stepTypeOf(config: StepConfig, types: readonly AnyStepType[] = STEP_TYPES): AnyStepType {
  const type = types.find((t) => t.type === config.type);
  if (!type) throw new Error(`no step type "${config.type}"`);
  return type;
}

/** The configured steps, in order, ready to run. */
export function buildSteps(configs: readonly StepConfig[], services: (type: string) => StepServices, types: readonly AnyStepType[] = STEP_TYPES): Step[] {
  return configs.map((config) => stepTypeOf(config, types).build(config, services(config.type)));
}

/**
 * The claims the configured steps read from the tenant's token: what the registration must ask
 * the tenant to send, and all it needs to send.
 */
export function claimsStepsRead(configs: readonly StepConfig[], types: readonly AnyStepType[] = STEP_TYPES): string[] {
  return [...new Set(configs.flatMap((config) => stepTypeOf(config, types).claimsRead(config)))];
}

/** Each configured step's start-up work, in order; every problem as a plain sentence. */
export async function prepareSteps(configs: readonly StepConfig[], services: (type: string) => StepServices, types: readonly AnyStepType[] = STEP_TYPES): Promise<string[]> {
  const problems: string[] = [];
  for (const config of configs) problems.push(...((await stepTypeOf(config, types).prepare?.(config, services(config.type))) ?? []));
  return problems;
}

/** The step types a steps file uses, each once: whose environment and messages the hook needs. */
export function typesIn(configs: readonly StepConfig[], types: readonly AnyStepType[] = STEP_TYPES): AnyStepType[] {
  return [...new Set(configs.map((config) => stepTypeOf(config, types)))];
}
