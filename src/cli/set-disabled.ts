import { ManagementApiError } from '../mattr/management-error.js';
import { ensureHook } from '../registration/ensure-hook.js';
import { EXIT, type Command } from './command.js';
import { ENVIRONMENT_HELP, HELP_OPTION, parseCommand } from './parse-options.js';
import { handOverSecret, SECRET_HELP, SECRET_OPTIONS } from './secret-output.js';
import { withTenant } from './with-tenant.js';

const OPTIONS = { ...HELP_OPTION, ...SECRET_OPTIONS } as const;

/**
 * `enable` and `disable`: flip `disabled` and keep everything else. Like `register`, nothing is
 * sent when the hook is already in that state; a PUT may rotate the secret, hence the options.
 */
export function setDisabledCommand(disabled: boolean): Command {
  const name = disabled ? 'disable' : 'enable';
  const help = `Usage: interaction-hook ${name} [options]

${disabled ? 'Disables the hook: the tenant stops sending users to it' : 'Enables the hook: the tenant sends users to it again'}. Everything else in the
registration stays as it is; nothing is sent when the hook is already ${disabled ? 'disabled' : 'enabled'}.

Options:
${SECRET_HELP}  -h, --help             show this help

${ENVIRONMENT_HELP}`;

  return {
    summary: disabled
      ? 'stop the tenant sending users to the hook (keeps the registration)'
      : 'let the tenant send users to the hook again',
    async run(args, io) {
      const options = parseCommand(args, OPTIONS, io, help);
      if (typeof options === 'number') return options;
      return withTenant(io, async (api) => {
        const update = await ensureHook(api, (current) => {
          if (current === null)
            throw new ManagementApiError(
              'not-registered',
              `No interaction hook is registered at ${api.tenantUrl}; run "interaction-hook register" first.`,
            );
          return { ...current, disabled };
        });
        io.out.write(
          update.changes.length === 0
            ? `The hook is already ${name}d; nothing changed.\n`
            : `The hook at ${update.after.url} is now ${name}d.\n`,
        );
        if (update.secretRotated || options['secret-file'] !== undefined || options['show-secret'] === true) {
          return handOverSecret(io, update.after.secret, options, { rotated: update.secretRotated })
            ? EXIT.ok
            : EXIT.failed;
        }
        return EXIT.ok;
      });
    },
  };
}
