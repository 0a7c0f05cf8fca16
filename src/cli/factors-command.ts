import { parseArgs } from 'node:util';
import { AppRecords, type EnrolledApp } from '../interaction/steps/authenticator-app/app-records.js';
import { credentialHash } from '../interaction/steps/passkey/passkey-ceremony.js';
import { passkeyCredentials, type PasskeyCredential } from '../interaction/steps/passkey/passkey-credentials.js';
import type { Storage } from '../storage/ports.js';
import { EXIT, type Command, type CommandIo } from './command.js';
import { parseSubcommand, subcommandUsage } from './parse-options.js';
import { withStorage } from './with-storage.js';

const FACTOR_TYPES = ['passkey', 'authenticator-app'] as const;
type FactorType = (typeof FACTOR_TYPES)[number];

const HELP = `Usage: interaction-hook factors <list|remove> --subject <subject> [options]

What a subject (the session token's sub, or the claim LEDGER_SUBJECT_CLAIM names) set up here to
confirm it is them: passkeys (passkey step) and an authenticator app (authenticator-app step).
Opens the storage the server uses, from the same environment (DATA_DIR, DATABASE_URL). Nothing
secret is shown: a passkey is a public key, an app's secret stays sealed.

  factors list --subject <subject> [--type passkey|authenticator-app] [--json]
      The subject's factors, oldest first: type, id, created (passkeys: last used, transports).
      With --json, also the SHA-256 of a passkey's id, which is how the ledger and the logs name it.

  factors remove --subject <subject> [--type passkey|authenticator-app] [--id <id>]
      Removes the subject's factors (of that type; only the one with that id): for a person who
      lost their device. Their next journey sets up a new one as the step's "enrol" allows.

"interaction-hook passkeys list|remove" is "factors" with --type passkey.

Exit codes: 0 done, 1 nothing to remove or the storage failed, 2 wrong usage.`;

const PASSKEYS_HELP = `Usage: interaction-hook passkeys <list|remove> --subject <subject> [options]

The same as "interaction-hook factors … --type passkey": the passkeys the passkey step keeps, per
subject.

  passkeys list --subject <subject> [--json]
  passkeys remove --subject <subject> [--id <passkey id>]

Exit codes: 0 done, 1 nothing to remove or the storage failed, 2 wrong usage.`;

const OPTIONS = {
  subject: { type: 'string' },
  type: { type: 'string' },
  id: { type: 'string' },
  json: { type: 'boolean' },
} as const;

interface Request {
  sub: 'list' | 'remove';
  subject: string;
  types: readonly FactorType[];
  id: string | undefined;
  json: boolean;
}

/** `interaction-hook factors list|remove`: what support needs when a person lost their device. */
export const factorsCommand: Command = {
  summary: 'list or remove the passkeys and authenticator app of a subject (a person who lost their device)',
  run: (args, io) => runFactors(args, io, 'factors'),
};

/** The older name, for passkeys only. */
export const passkeysCommand: Command = {
  summary: 'list or remove the passkeys of a subject (same as factors --type passkey)',
  run: (args, io) => runFactors(args, io, 'passkeys'),
};

async function runFactors(args: string[], io: CommandIo, command: 'factors' | 'passkeys'): Promise<number> {
  const request = parseRequest(args, io, command);
  if (typeof request === 'number') return request;
  return withStorage(io, command === 'passkeys' ? 'The passkeys' : 'The factors', (storage) =>
    request.sub === 'list' ? list(storage, request, io) : remove(storage, request, io),
  );
}

function parseRequest(args: string[], io: CommandIo, command: 'factors' | 'passkeys'): Request | number {
  const parsed = parseSubcommand(
    args,
    io,
    { command, help: command === 'factors' ? HELP : PASSKEYS_HELP, subcommands: ['list', 'remove'] },
    (sub, rest) => {
      const { values } = parseArgs({ args: rest, options: OPTIONS, strict: true, allowPositionals: false });
      // One set of options for both sub-commands and names; what one of them does not take is refused here.
      const refused = [sub === 'list' ? 'id' : 'json', ...(command === 'passkeys' ? ['type'] : [])].find((name) =>
        Object.hasOwn(values, name),
      );
      if (refused !== undefined) throw new Error(`${command} ${sub} takes no --${refused}`);
      return { sub, values };
    },
  );
  if (typeof parsed === 'number') return parsed;
  const { sub, values } = parsed;
  const { subject, id, type } = values;
  if (subject === undefined || subject.trim() === '')
    return subcommandUsage(io, command, `${sub} needs --subject <subject>`);
  if (id?.trim() === '') return subcommandUsage(io, command, `--id needs an id (${command} list shows them)`);
  if (type !== undefined && !FACTOR_TYPES.some((t) => t === type))
    return subcommandUsage(io, command, `--type is ${FACTOR_TYPES.join(' or ')}`);
  const types =
    command === 'passkeys' ? (['passkey'] as const) : FACTOR_TYPES.filter((t) => type === undefined || t === type);
  return { sub, subject, types, id, json: values.json === true };
}

async function list(storage: Storage, request: Request, io: CommandIo): Promise<number> {
  const { subject, types } = request;
  const passkeys = types.includes('passkey')
    ? await passkeyCredentials(storage.subjectRecords).forSubject(subject)
    : [];
  const app = types.includes('authenticator-app')
    ? await new AppRecords(storage.subjectRecords, storage.stepRecords).appOf(subject)
    : null;
  if (request.json) {
    const described = [
      ...passkeys.map((p) => ({ ...(types.length > 1 ? { type: 'passkey' } : {}), ...describedPasskey(p) })),
      ...(app ? [{ ...(types.length > 1 ? { type: 'authenticator-app' } : {}), ...describedApp(app) }] : []),
    ];
    io.out.write(`${JSON.stringify(described, null, 2)}\n`);
    return EXIT.ok;
  }
  if (passkeys.length === 0 && app === null) {
    io.out.write(`The subject ${JSON.stringify(subject)} has ${nothingOf(types)}.\n`);
    return EXIT.ok;
  }
  // The type leads each line only when more than one type is listed.
  const typed = (type: FactorType, line: string) => (types.length > 1 ? `${type}  ${line}` : line);
  const lines = [
    ...passkeys.map((p) =>
      typed(
        'passkey',
        `${p.id}  created ${p.createdAt.toISOString()}  last used ${p.lastUsedAt.toISOString()}  ${p.transports.join(',') || '-'}`,
      ),
    ),
    ...(app
      ? [
          typed(
            'authenticator-app',
            `${app.id}  created ${new Date(app.createdAt).toISOString()}  ${app.digits} digits every ${app.period} s`,
          ),
        ]
      : []),
  ];
  io.out.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

async function remove(storage: Storage, request: Request, io: CommandIo): Promise<number> {
  const { subject, types, id } = request;
  const passkeys = types.includes('passkey') ? await passkeyCredentials(storage.subjectRecords).remove(subject, id) : 0;
  const app = types.includes('authenticator-app')
    ? await new AppRecords(storage.subjectRecords, storage.stepRecords).removeApp(subject, id)
    : null;
  if (passkeys === 0 && app === null) {
    const what =
      id === undefined ? nothingOf(types) : `no ${types.length > 1 ? 'factor' : types[0]} ${JSON.stringify(id)}`;
    io.err.write(`The subject ${JSON.stringify(subject)} has ${what}: nothing removed.\n`);
    return EXIT.failed;
  }
  const removed = [
    ...(passkeys > 0 ? [`${passkeys} passkey${passkeys === 1 ? '' : 's'}`] : []),
    ...(app ? ['the authenticator app'] : []),
  ];
  io.out.write(`Removed ${removed.join(' and ')} of ${JSON.stringify(subject)}.\n`);
  return EXIT.ok;
}

function nothingOf(types: readonly FactorType[]): string {
  if (types.length > 1) return 'no passkeys and no authenticator app';
  return types[0] === 'passkey' ? 'no passkeys' : 'no authenticator app';
}

function describedPasskey(passkey: PasskeyCredential): Record<string, unknown> {
  return {
    id: passkey.id,
    credentialSha256: credentialHash(passkey.id),
    createdAt: passkey.createdAt.toISOString(),
    lastUsedAt: passkey.lastUsedAt.toISOString(),
    transports: passkey.transports,
  };
}

function describedApp(app: EnrolledApp): Record<string, unknown> {
  return { id: app.id, createdAt: new Date(app.createdAt).toISOString(), digits: app.digits, period: app.period };
}
