import { runDoctor } from '../registration/doctor-checks.js';
import { EXIT, type Command } from './command.js';
import { ENVIRONMENT_HELP, HELP_OPTION, parseCommand } from './parse-options.js';

const HELP = `Usage: interaction-hook doctor [options]

Checks this hook's configuration end to end and prints one line per check: ok, warn, fail or
skip, and for each problem the fix. Checks: environment, steps file, hook URL rules, credentials,
tenant reachable, registered URL equals HOOK_URL, hook enabled, registered secret equals the one
the hook uses (compared, never printed), claims sent vs claims the steps read, session timeout; and each step's own checks (an
email-code step's mail server answers; an oidc step's provider answers its discovery, with the
redirect URI to register there).
Exits 1 when any check fails (warnings do not).

Options:
  --json        the checks as JSON, for scripts
  -h, --help    show this help

${ENVIRONMENT_HELP}`;

const OPTIONS = { ...HELP_OPTION, json: { type: 'boolean' } } as const;

export const doctor: Command = {
  summary: 'check the configuration end to end, one line per check with the fix',
  async run(args, io) {
    const options = parseCommand(args, OPTIONS, io, HELP);
    if (typeof options === 'number') return options;
    const checks = await runDoctor(io.env);
    const failed = checks.filter((c) => c.status === 'fail').length;
    if (options.json) {
      io.out.write(`${JSON.stringify({ ok: failed === 0, checks }, null, 2)}\n`);
    } else {
      const width = Math.max(...checks.map((c) => c.name.length));
      for (const c of checks) {
        io.out.write(`${c.status.padEnd(4)}  ${c.name.padEnd(width)}  ${c.detail}${c.fix ? ` — fix: ${c.fix}` : ''}\n`);
      }
      io.out.write(failed === 0 ? 'No check failed.\n' : `${failed} check(s) failed.\n`);
    }
    return failed === 0 ? EXIT.ok : EXIT.failed;
  },
};
