import type { Command } from './command.js';
import { ledgerCommand } from './ledger-command.js';

/** Every CLI command, by name. Adding one is a file in this folder and a line here. */
export const commands: Record<string, Command> = {
  ledger: ledgerCommand,
};
