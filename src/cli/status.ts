import { secretFingerprint } from '../mattr/hook-secret.js';
import { EXIT, type Command } from './command.js';
import { ENVIRONMENT_HELP, HELP_OPTION, parseCommand } from './parse-options.js';
import { withTenant } from './with-tenant.js';

const HELP = `Usage: interaction-hook status [options]

Shows the hook as the tenant holds it. The secret is masked (shown by a short fingerprint, so
two secrets can be told apart) unless --show-secret is given. Exits 1 when no hook is registered.

Options:
  --json           one JSON object, for scripts
  --show-secret    include the secret itself
  -h, --help       show this help

${ENVIRONMENT_HELP}`;

const OPTIONS = { ...HELP_OPTION, json: { type: 'boolean' }, 'show-secret': { type: 'boolean' } } as const;

export const status: Command = {
  summary: 'show the hook as the tenant holds it (secret masked)',
  async run(args, io) {
    const options = parseCommand(args, OPTIONS, io, HELP);
    if (typeof options === 'number') return options;
    return withTenant(io, async (api) => {
      const hook = await api.getHook();
      const show = options['show-secret'] === true;
      if (options.json) {
        const interactionHook =
          hook === null
            ? null
            : {
                url: hook.url,
                claims: hook.claims,
                sessionTimeoutInSec: hook.sessionTimeoutInSec ?? null,
                disabled: hook.disabled,
                secretFingerprint: hook.secret === undefined ? null : secretFingerprint(hook.secret),
                ...(show ? { secret: hook.secret ?? null } : {}),
              };
        io.out.write(
          `${JSON.stringify({ tenantUrl: api.tenantUrl, registered: hook !== null, interactionHook }, null, 2)}\n`,
        );
        return hook === null ? EXIT.failed : EXIT.ok;
      }
      if (hook === null) {
        io.out.write(`No interaction hook is registered at ${api.tenantUrl}. Run "interaction-hook register".\n`);
        return EXIT.failed;
      }
      const secret =
        hook.secret === undefined
          ? '(not returned)'
          : show
            ? hook.secret
            : `******** (fingerprint ${secretFingerprint(hook.secret)})`;
      io.out.write(
        [
          `Tenant:           ${api.tenantUrl}`,
          `Hook URL:         ${hook.url}`,
          `Claims:           ${hook.claims.length === 0 ? '(none)' : hook.claims.join(', ')}`,
          `Session timeout:  ${hook.sessionTimeoutInSec === undefined ? "(the tenant's default)" : `${hook.sessionTimeoutInSec} s`}`,
          `State:            ${hook.disabled ? 'disabled' : 'enabled'}`,
          `Secret:           ${secret}`,
        ].join('\n') + '\n',
      );
      return EXIT.ok;
    });
  },
};
