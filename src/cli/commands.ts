import type { Command } from './command.js';
import { disable } from './disable.js';
import { doctor } from './doctor.js';
import { enable } from './enable.js';
import { ledgerCommand } from './ledger-command.js';
import { factorsCommand, passkeysCommand } from './factors-command.js';
import { register } from './register.js';
import { status } from './status.js';

/** Every CLI command, by name. Adding one is a file in this folder and a line here. */
export const commands: Record<string, Command> = {
  register,
  status,
  enable,
  disable,
  doctor,
  ledger: ledgerCommand,
  factors: factorsCommand,
  passkeys: passkeysCommand,
};
