import { defineStepType } from '../step-type.js';
import { oidcMessages } from './messages.js';
import { loadOidc, oidcStepSchema } from './oidc-schema.js';
import { OidcStep } from './oidc-step.js';
import { DiscoveryError, discoverProvider, oidcRedirectUri } from './provider-connection.js';

/** Step-up at an OpenID provider: the user signs in there again, and comes back with an ID token. */
export const oidcStepType = defineStepType({
  type: 'oidc',
  schema: oidcStepSchema,
  ports: ['records'],
  verifiesPerson: true,
  load: loadOidc,
  claimsRead: (config) => (config.matchClaim ? [config.matchClaim.session] : []),
  claimsCollected: (config) => Object.values(config.collect),
  build: (config, services) => new OidcStep(config, services),
  async prepare(config, services) {
    if (config.insecure)
      services.logger.warn(
        { step: config.id },
        `step "${config.id}" reaches its OpenID provider over plain http: acceptable only for a provider on this machine`,
      );
    try {
      await discoverProvider(config);
      return [];
    } catch (error) {
      if (!(error instanceof DiscoveryError) || error.kind === 'unusable')
        return [`HOOK_CONFIG: step "${config.id}": the OpenID provider ${config.issuer}: ${(error as Error).message}`];
      // Away is not a configuration problem: the hook starts, and is not ready until the provider answers.
      services.logger.warn(
        { step: config.id },
        `the OpenID provider of step "${config.id}" does not answer; the hook is not ready until it does`,
      );
      return [];
    }
  },
  async doctor(config, { hookUrl }) {
    const name = `provider (${config.id})`;
    const register =
      hookUrl === undefined
        ? 'set HOOK_URL first'
        : `register the redirect URI ${oidcRedirectUri(hookUrl)} for client "${config.clientId}"`;
    try {
      await discoverProvider(config);
      return [{ name, status: 'ok', detail: `${config.issuer} answered its discovery; ${register}` }];
    } catch (error) {
      const away = error instanceof DiscoveryError && error.kind === 'away';
      return [
        {
          name,
          status: 'fail',
          detail: `${config.issuer}: ${(error as Error).message}`,
          fix: away
            ? 'check the issuer URL, DNS and any firewall between the hook and the provider'
            : 'set "issuer" to the provider’s issuer identifier exactly',
        },
      ];
    }
  },
  messages: oidcMessages,
});
