#!/usr/bin/env node
import { commands } from './commands.js';
import { processEnvironment } from '../config/load-configuration.js';

/**
 * `interaction-hook <command> [options]`. Exit codes: 0 done, 1 the command failed (the tenant
 * refused, a check failed), 2 wrong usage.
 */
const [name, ...args] = process.argv.slice(2);
const usage = `Usage: interaction-hook <command> [options]

Commands:
${Object.entries(commands)
  .map(([command, c]) => `  ${command.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run "interaction-hook <command> --help" for a command's options.`;

if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
  console.log(usage);
  process.exit(name === undefined ? 2 : 0);
}
const command = commands[name];
if (!command) {
  console.error(`Unknown command "${name}".\n\n${usage}`);
  process.exit(2);
}
process.exitCode = await command.run(args, { env: processEnvironment(), out: process.stdout, err: process.stderr });
