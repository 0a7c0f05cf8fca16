import { Writable } from 'node:stream';
import { commands } from '../../src/cli/commands.js';

export interface CommandResult {
  code: number;
  out: string;
  err: string;
  /** Both streams, in the order written. */
  all: string;
}

/** Runs a CLI command in-process with exactly this environment and captures what it prints. */
export async function runCommand(name: string, args: string[], env: Record<string, string>): Promise<CommandResult> {
  const command = commands[name];
  if (!command) throw new Error(`no command ${name}`);
  let out = '';
  let err = '';
  let all = '';
  const sink = (write: (text: string) => void) =>
    new Writable({
      write(chunk, _encoding, done) {
        write(String(chunk));
        all += String(chunk);
        done();
      },
    });
  const code = await command.run(args, {
    env: { ...env },
    out: sink((t) => (out += t)),
    err: sink((t) => (err += t)),
  });
  return { code, out, err, all };
}
