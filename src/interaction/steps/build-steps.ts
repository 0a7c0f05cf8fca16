import type { StepConfig } from '../../config/hook-config.js';
import { ProfileStep } from './profile-step.js';
import type { Step } from './step.js';
import { TermsStep } from './terms-step.js';

/** The configured steps, in order. Adding a step type is one case here. */
export function buildSteps(configs: readonly StepConfig[]): Step[] {
  return configs.map((config): Step => {
    switch (config.type) {
      case 'terms':
        return new TermsStep(config);
      case 'profile':
        return new ProfileStep(config);
    }
  });
}
