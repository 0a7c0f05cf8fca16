import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../config/hook-config.js';
import { loadRegistrationDefaults } from '../config/management-settings.js';
import { integer } from '../config/env-values.js';
import { claimsStepsRead, whenClaimsNotAsked } from '../interaction/steps/configured-step.js';
import { describeHookUrlProblems, hookUrlProblems } from '../mattr/hook-url-rules.js';
import { isLoopbackHttp } from '../web/url-rules.js';
import { normaliseUrl } from '../mattr/hook-url.js';
import { describeChange, desiredHook } from '../registration/desired-hook.js';
import { ensureHook } from '../registration/ensure-hook.js';
import { EXIT, type Command } from './command.js';
import { ENVIRONMENT_HELP, HELP_OPTION, parseCommand, usageError } from './parse-options.js';
import { handOverSecret, SECRET_HELP, SECRET_OPTIONS } from './secret-output.js';
import { withTenant } from './with-tenant.js';

const HELP = `Usage: interaction-hook register [options]

Registers this hook with the tenant, or brings the registration up to date. Reads the current
configuration first and changes it only when something differs, then prints what changed.
Running it again changes nothing. An existing hook stays enabled or disabled as it is.

Options:
  --url URL              the hook URL to register (default: HOOK_URL)
  --claims a,b           exactly these claims (default: those registered plus those the steps read);
                         a claim a step's "when" reads may not be left out
  --session-timeout S    seconds the tenant gives the user for the steps
                         (default: INTERACTION_TIMEOUT_SECONDS, else 1200)
${SECRET_HELP}  -h, --help             show this help

${ENVIRONMENT_HELP}`;

const OPTIONS = {
  ...HELP_OPTION,
  ...SECRET_OPTIONS,
  url: { type: 'string' },
  claims: { type: 'string' },
  'session-timeout': { type: 'string' },
} as const;

/** A claim name as the tenant knows it: no spaces, no commas, a sane length. */
const CLAIM_NAME = /^[^\s,]{1,200}$/;

export const register: Command = {
  summary: 'register the hook with the tenant, or bring the registration up to date',
  async run(args, io) {
    const options = parseCommand(args, OPTIONS, io, HELP);
    if (typeof options === 'number') return options;

    const loaded = loadRegistrationDefaults(io.env);
    if (!loaded.ok) {
      io.err.write(loaded.errors.map((e) => `${e}\n`).join(''));
      return EXIT.failed;
    }
    const { defaults } = loaded;
    const rawUrl = options.url ?? defaults.hookUrl;
    if (rawUrl === undefined) return usageError(io, 'No hook URL: pass --url or set HOOK_URL.', HELP);
    const url = normaliseUrl(rawUrl);
    const problems = hookUrlProblems(url, {
      allowLocalhostHttp: isLoopbackHttp(io.env.MATTR_TENANT_URL?.trim() ?? ''),
    });
    if (problems.length > 0) {
      io.err.write(
        describeHookUrlProblems(options.url === undefined ? 'HOOK_URL' : '--url', problems)
          .map((p) => `${p}\n`)
          .join(''),
      );
      io.err.write('Nothing was sent to the tenant.\n');
      return EXIT.failed;
    }

    const claims = options.claims
      ?.split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    const badClaim = claims?.find((c) => !CLAIM_NAME.test(c));
    if (badClaim !== undefined) return usageError(io, `--claims: "${badClaim}" is not a claim name.`, HELP);
    const timeout = integer('--session-timeout', defaults.sessionTimeoutInSec, 30, 86_400).safeParse(
      options['session-timeout'],
    );
    if (!timeout.success) return usageError(io, timeout.error.issues[0]?.message ?? timeout.error.message, HELP);

    const hookConfig = loadHookConfig(defaults.hookConfigPath ?? DEFAULT_HOOK_CONFIG);
    if (!hookConfig.ok) {
      io.err.write(
        `The steps file cannot be read, so the claims the steps need are unknown:\n${hookConfig.errors.map((e) => `  - ${e}\n`).join('')}`,
      );
      return EXIT.failed;
    }
    const stepClaims = claimsStepsRead(hookConfig.config.steps);
    // A claim a step only prefills from may be left out (a warning below); one a `when` decides on may not.
    const unasked = claims === undefined ? [] : whenClaimsNotAsked(hookConfig.config.steps, claims);
    if (unasked.length > 0) {
      io.err.write(
        `--claims leaves out a claim the steps decide on:\n${unasked.map((p) => `  - ${p}\n`).join('')}Nothing was sent to the tenant.\n`,
      );
      return EXIT.failed;
    }

    return withTenant(io, async (api) => {
      const update = await ensureHook(api, (current) =>
        desiredHook(current, { url, claims, stepClaims, sessionTimeoutInSec: timeout.data }),
      );
      if (update.changes.length === 0) {
        io.out.write(`The hook is already registered at ${api.tenantUrl} as wanted; nothing changed.\n`);
      } else {
        io.out.write(
          `${update.before === null ? 'Registered the hook' : 'Updated the hook registration'} at ${api.tenantUrl}:\n`,
        );
        for (const change of update.changes) io.out.write(`  ${describeChange(change)}\n`);
      }
      const missing = stepClaims.filter((c) => !update.after.claims.includes(c));
      if (missing.length > 0)
        io.out.write(`Warning: the steps read ${missing.join(', ')}, which the tenant is not asked to send.\n`);
      if (update.after.disabled)
        io.out.write('The hook is disabled: the tenant sends nobody to it until "interaction-hook enable".\n');
      return handOverSecret(io, update.after.secret, options, { rotated: update.secretRotated })
        ? EXIT.ok
        : EXIT.failed;
    });
  },
};
