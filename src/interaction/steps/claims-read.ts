import type { StepConfig } from '../../config/hook-config.js';

/**
 * The claims the configured steps read from the tenant's token: what the registration must ask
 * the tenant to send, and all it needs to send. Adding a step type is one case here.
 */
export function claimsStepsRead(configs: readonly StepConfig[]): string[] {
  const names = configs.flatMap((config): string[] => {
    switch (config.type) {
      case 'terms':
        return config.greetingClaim === undefined ? [] : [config.greetingClaim];
      case 'profile':
        return config.fields.flatMap((field) => (field.prefillClaim === undefined ? [] : [field.prefillClaim]));
    }
  });
  return [...new Set(names)];
}
