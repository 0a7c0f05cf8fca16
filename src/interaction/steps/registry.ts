import { distinctStepTypes, registerStepType, type RegisteredStepType } from './configured-step.js';
import { authenticatorAppStepType } from './authenticator-app/index.js';
import { emailCodeStepType } from './email-code/index.js';
import { oidcStepType } from './oidc/index.js';
import { passkeyStepType } from './passkey/index.js';
import { presentCredentialStepType } from './present-credential/index.js';
import { profileStepType } from './profile/index.js';
import { termsStepType } from './terms/index.js';

/**
 * The one list of step types: the steps file, the claims the registration asks for, start-up
 * work and the messages all go through it. Adding a type is a folder, a template and a line here;
 * a name used twice stops the start.
 */
export const STEP_TYPES: readonly RegisteredStepType[] = distinctStepTypes([
  registerStepType(termsStepType),
  registerStepType(profileStepType),
  registerStepType(emailCodeStepType),
  registerStepType(passkeyStepType),
  registerStepType(oidcStepType),
  registerStepType(presentCredentialStepType),
  registerStepType(authenticatorAppStepType),
]);
