import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EXIT, type CommandIo } from './command.js';

/**
 * Parses a command's options. On wrong usage prints why and the help to stderr and gives the usage
 * exit code; on `--help` prints the help and gives 0. Otherwise gives the option values.
 */
export function parseCommand<const O extends NonNullable<ParseArgsConfig['options']> & typeof HELP_OPTION>(
  args: string[],
  options: O,
  io: CommandIo,
  help: string,
) {
  let values: ReturnType<
    typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
  >['values'];
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (error) {
    io.err.write(`${(error as Error).message}\n\n${help}`);
    return EXIT.usage;
  }
  if ((values as { help?: boolean }).help) {
    io.out.write(help);
    return EXIT.ok;
  }
  return values;
}

/** A usage error found after parsing (a bad value): same output, same exit code. */
export function usageError(io: CommandIo, message: string, help: string): number {
  io.err.write(`${message}\n\n${help}`);
  return EXIT.usage;
}

/**
 * A command made of sub-commands (`ledger export`, `passkeys remove`): prints the help (no
 * sub-command, or `--help`) or why the usage is wrong and gives the exit code; otherwise gives what
 * `parse` (the sub-command's own `parseArgs`) makes of the sub-command and the rest of the line.
 */
export function parseSubcommand<S extends string, Parsed>(
  args: string[],
  io: CommandIo,
  spec: { command: string; help: string; subcommands: readonly S[] },
  parse: (sub: S, rest: string[]) => Parsed,
): Parsed | number {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || rest.includes('--help') || rest.includes('-h')) {
    (sub === undefined ? io.err : io.out).write(`${spec.help}\n`);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  const known = spec.subcommands.find((name) => name === sub);
  if (known === undefined) return subcommandUsage(io, spec.command, `unknown sub-command "${sub}"`);
  try {
    return parse(known, rest);
  } catch (error) {
    return subcommandUsage(io, spec.command, (error as Error).message);
  }
}

/** A sub-command's usage error found after parsing: why, and where the help is. */
export function subcommandUsage(io: CommandIo, command: string, problem: string): number {
  io.err.write(`interaction-hook ${command}: ${problem}\nRun "interaction-hook ${command} --help" for the options.\n`);
  return EXIT.usage;
}

/** The options every management command shares. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export const ENVIRONMENT_HELP = `Environment: MATTR_TENANT_URL, MATTR_CLIENT_ID, MATTR_CLIENT_SECRET, and MATTR_AUTH_URL
unless the tenant URL has the standard form (see docs/registration.md).
Exit codes: 0 done, 1 refused, unreachable or a check failed, 2 wrong usage.
`;
