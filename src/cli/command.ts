import type { Writable } from 'node:stream';

/** What a command may touch: its environment and two output streams, so tests can run it in-process. */
export interface CommandIo {
  env: NodeJS.ProcessEnv;
  out: Writable;
  err: Writable;
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Runs the command; resolves to its exit code. Handles `--help` itself. */
  run(args: string[], io: CommandIo): Promise<number>;
}
