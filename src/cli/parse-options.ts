import { EXIT, type CommandIo } from './command.js';

/**
 * Runs a `parseArgs` call; on wrong usage prints why and the command's help to stderr and gives
 * the usage exit code instead of throwing.
 */
export function parseOrUsage<T>(parse: () => T, io: CommandIo, help: string): T | number {
  try {
    return parse();
  } catch (error) {
    io.err.write(`${(error as Error).message}\n\n${help}`);
    return EXIT.usage;
  }
}

/** A usage error found after parsing (a bad value): same output, same exit code. */
export function usageError(io: CommandIo, message: string, help: string): number {
  io.err.write(`${message}\n\n${help}`);
  return EXIT.usage;
}

/** The options every management command shares. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

export const ENVIRONMENT_HELP = `Environment: MATTR_TENANT_URL, MATTR_CLIENT_ID, MATTR_CLIENT_SECRET, and MATTR_AUTH_URL
unless the tenant URL has the standard form (see README, "Registering the hook").
Exit codes: 0 done, 1 refused, unreachable or a check failed, 2 wrong usage.
`;
