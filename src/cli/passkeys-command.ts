import { parseArgs } from 'node:util';
import { credentialHash } from '../interaction/steps/passkey/passkey-ceremony.js';
import { passkeyCredentials, type PasskeyCredential } from '../interaction/steps/passkey/passkey-credentials.js';
import { EXIT, type Command } from './command.js';
import { parseSubcommand, subcommandUsage } from './parse-options.js';
import { withStorage } from './with-storage.js';

const HELP = `Usage: interaction-hook passkeys <list|remove> --subject <subject> [options]

The passkeys the passkey step keeps, per subject (the session token's sub, or the claim
LEDGER_SUBJECT_CLAIM names). Opens the storage the server uses, from the same environment
(DATA_DIR, DATABASE_URL). Only public keys are kept; nothing secret is shown.

  passkeys list --subject <subject> [--json]
      The subject's passkeys, oldest first: id, created, last used, transports. With --json,
      also the SHA-256 of the id, which is how the ledger and the logs name a passkey.

  passkeys remove --subject <subject> [--id <passkey id>]
      Removes the subject's passkeys, or only the one with that id: for a person who lost their
      device. With enrol "when-missing" their next journey creates a new passkey; with "never"
      it fails the step until one is enrolled again.

Exit codes: 0 done, 1 nothing to remove or the storage failed, 2 wrong usage.`;

/** `interaction-hook passkeys list|remove`: what support needs when a person lost their device. */
export const passkeysCommand: Command = {
  summary: 'list or remove the passkeys of a subject (a person who lost their device)',
  async run(args, io) {
    const parsed = parseSubcommand(args, io, { command: 'passkeys', help: HELP, subcommands: ['list', 'remove'] }, (sub, rest) => {
      const values: { subject?: string; id?: string; json?: boolean } = parseArgs({
        args: rest,
        options: sub === 'list' ? { subject: { type: 'string' }, json: { type: 'boolean' } } : { subject: { type: 'string' }, id: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }).values;
      return { sub, values };
    });
    if (typeof parsed === 'number') return parsed;
    const { sub, values } = parsed;
    const { subject, id } = values;
    if (subject === undefined || subject.trim() === '') return subcommandUsage(io, 'passkeys', `${sub} needs --subject <subject>`);
    if (id?.trim() === '') return subcommandUsage(io, 'passkeys', '--id needs a passkey id (passkeys list shows them)');
    if (sub === 'list') {
      return withStorage(io, 'The passkeys', async (storage) => {
        const passkeys = await passkeyCredentials(storage.subjectRecords).forSubject(subject);
        io.out.write(values.json === true ? `${JSON.stringify(passkeys.map(described), null, 2)}\n` : listing(subject, passkeys));
        return EXIT.ok;
      });
    }
    return withStorage(io, 'The passkeys', async (storage) => {
      const removed = await passkeyCredentials(storage.subjectRecords).remove(subject, id);
      if (removed === 0) {
        io.err.write(
          id === undefined
            ? `The subject ${JSON.stringify(subject)} has no passkeys: nothing removed.\n`
            : `The subject ${JSON.stringify(subject)} has no passkey ${JSON.stringify(id)}: nothing removed.\n`,
        );
        return EXIT.failed;
      }
      io.out.write(`Removed ${removed} passkey${removed === 1 ? '' : 's'} of ${JSON.stringify(subject)}.\n`);
      return EXIT.ok;
    });
  },
};

function described(passkey: PasskeyCredential): Record<string, unknown> {
  return { id: passkey.id, credentialSha256: credentialHash(passkey.id), createdAt: passkey.createdAt.toISOString(), lastUsedAt: passkey.lastUsedAt.toISOString(), transports: passkey.transports };
}

function listing(subject: string, passkeys: readonly PasskeyCredential[]): string {
  if (passkeys.length === 0) return `The subject ${JSON.stringify(subject)} has no passkeys.\n`;
  const lines = passkeys.map((p) => `${p.id}  created ${p.createdAt.toISOString()}  last used ${p.lastUsedAt.toISOString()}  ${p.transports.join(',') || '-'}`);
  return `${lines.join('\n')}\n`;
}
