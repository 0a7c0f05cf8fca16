import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ChainState } from '../storage/ledger-chain.js';
import type { Storage } from '../storage/ports.js';
import { verifyChain } from '../storage/verify-chain.js';
import { EXIT, type Command, type CommandIo } from './command.js';
import { exportLedger } from './ledger-export.js';
import { parseSubcommand, subcommandUsage } from './parse-options.js';
import { withStorage } from './with-storage.js';

const HELP = `Usage: interaction-hook ledger <export|verify|head|prune> [options]

The consent ledger: every decision users made on the steps, append-only and hash-chained (each
record carries the SHA-256 of the record before it and of its own content; docs/ledger.md).
Opens the storage the server uses, from the same environment (DATA_DIR, DATABASE_URL).

  ledger export [--since <when>] [--format jsonl|csv]
      Writes the records, oldest first, to standard output, each with prevHash and hash.
      --since   only records from this moment on
      --format  jsonl (default: one JSON object per line, exact) or csv (a header row, then one
                row per record; cells that a spreadsheet would run as a formula get a leading ')

  ledger verify [--head <hash>]
      Walks the chain and says how many records it holds and its head, or names the first record
      that does not fit (changed, removed or inserted) and exits 1.
      --head    a head copied earlier (ledger head) to a place you trust: the chain must still
                pass through it, so that even a rewrite of the whole ledger shows

  ledger head
      Prints the chain's head hash and length: copy them to a place you trust (an audit log, a
      ticket), and check the ledger against them later with verify --head.

  ledger prune --before <when> [--even-if-broken]
      Deletes the records older than <when> (retention) from the start of the chain and keeps
      the hash of the last one deleted as the checkpoint the chain starts from. Verifies the
      chain first and deletes nothing when it is broken, unless --even-if-broken is given.

<when> is a date or time in ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z) or a number of days
ago (400d).
Exit codes: 0 done (verify: the chain holds), 1 the chain is broken or the storage failed, 2 wrong usage.`;

const SUBCOMMANDS = ['export', 'verify', 'head', 'prune'] as const;
/** Each sub-command's options; the values they give are LedgerOptions. */
const OPTIONS: Record<(typeof SUBCOMMANDS)[number], NonNullable<ParseArgsConfig['options']>> = {
  export: { since: { type: 'string' }, format: { type: 'string' } },
  verify: { head: { type: 'string' } },
  head: {},
  prune: { before: { type: 'string' }, 'even-if-broken': { type: 'boolean' } },
};

interface LedgerOptions {
  since?: string;
  format?: string;
  head?: string;
  before?: string;
  'even-if-broken'?: boolean;
}

/** `interaction-hook ledger export|verify|head|prune`: the ledger out of the database, its proof, and retention. */
export const ledgerCommand: Command = {
  summary: 'export or verify the hash-chained consent ledger, print its head, or prune it for retention',
  async run(args, io) {
    const parsed = parseSubcommand(
      args,
      io,
      { command: 'ledger', help: HELP, subcommands: SUBCOMMANDS },
      (sub, rest) => {
        const values = parseArgs({ args: rest, options: OPTIONS[sub], strict: true, allowPositionals: false })
          .values as LedgerOptions;
        return { sub, values };
      },
    );
    if (typeof parsed === 'number') return parsed;
    const { sub, values } = parsed;
    const now = new Date();
    if (sub === 'export') {
      const format = values.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv')
        return subcommandUsage(io, 'ledger', `--format must be jsonl or csv, got "${format}"`);
      const since = values.since === undefined ? undefined : parseMoment(values.since, now);
      if (since === null)
        return subcommandUsage(
          io,
          'ledger',
          `--since must be an ISO 8601 date or time, or a number of days such as 30d; got "${values.since}"`,
        );
      return withStorage(io, 'The ledger', async (storage) => {
        await exportLedger(storage, io.out, { since, format });
        return EXIT.ok;
      });
    }
    if (sub === 'verify') {
      const trustedHead = values.head?.trim().toLowerCase();
      if (trustedHead !== undefined && !/^[0-9a-f]{64}$/.test(trustedHead))
        return subcommandUsage(
          io,
          'ledger',
          `--head must be a head as "ledger head" prints it (64 hex digits); got "${values.head}"`,
        );
      return withStorage(io, 'The ledger', (storage) => verify(storage, io, trustedHead));
    }
    if (sub === 'head') return withStorage(io, 'The ledger', (storage) => head(storage, io));
    if (values.before === undefined) return subcommandUsage(io, 'ledger', 'prune needs --before <when>');
    const before = parseMoment(values.before, now);
    if (before === null)
      return subcommandUsage(
        io,
        'ledger',
        `--before must be an ISO 8601 date or time, or a number of days such as 400d; got "${values.before}"`,
      );
    if (before.getTime() > now.getTime())
      return subcommandUsage(
        io,
        'ledger',
        `--before ${values.before} is in the future: that would delete records still being written`,
      );
    return withStorage(io, 'The ledger', async (storage) => {
      const verdict = await verifyChain(storage.ledger);
      if (!verdict.ok) {
        io.err.write(`The ledger does not verify: ${verdict.message}.\n`);
        if (values['even-if-broken'] !== true) {
          io.err.write(
            'Nothing was pruned: pruning would delete the evidence. Keep an export, then prune with --even-if-broken.\n',
          );
          return EXIT.failed;
        }
      }
      const deleted = await storage.ledger.prune(before);
      io.out.write(`Deleted ${records(deleted, 'ledger record')} from before ${before.toISOString()}.\n`);
      const state = await storage.ledger.chainState();
      if (state)
        io.out.write(
          `The chain now starts from checkpoint ${state.startHash} (${records(state.startLength)} pruned in all).\n${headLines(state)}`,
        );
      return EXIT.ok;
    });
  },
};

async function verify(storage: Storage, io: CommandIo, trustedHead: string | undefined): Promise<number> {
  const verdict = await verifyChain(storage.ledger, { trustedHead });
  if (!verdict.ok) {
    io.err.write(`The ledger does not verify: ${verdict.message}.\n`);
    return EXIT.failed;
  }
  const { state } = verdict;
  io.out.write(
    `The ledger verifies: ${records(verdict.rows)}${state.startLength > 0 ? `, after ${state.startLength} pruned (checkpoint ${state.startHash})` : ''}.\n${headLines(state)}`,
  );
  if (verdict.trustedAt !== undefined) {
    const since = state.length - verdict.trustedAt;
    io.out.write(
      `It passes through the trusted head, record ${verdict.trustedAt} of the chain; ${records(since)} appended after it.\n`,
    );
  }
  return EXIT.ok;
}

async function head(storage: Storage, io: CommandIo): Promise<number> {
  const state = await storage.ledger.chainState();
  if (state === null) {
    io.err.write('The ledger has no chain record (table ledger_chain): run "interaction-hook ledger verify".\n');
    return EXIT.failed;
  }
  io.out.write(headLines(state));
  return EXIT.ok;
}

function headLines(state: ChainState): string {
  return `Head:   ${state.headHash}\nLength: ${records(state.length)} appended in all${state.startLength > 0 ? `, ${state.startLength} of them pruned` : ''}\n`;
}

function records(n: number, what = 'record'): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** An ISO 8601 date or date-time, or `<n>d` days before `now`; null when it is neither. */
export function parseMoment(text: string, now: Date): Date | null {
  const days = /^(\d{1,5})d$/.exec(text.trim());
  if (days) return new Date(now.getTime() - Number(days[1]) * 86_400_000);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return null;
  const moment = new Date(text.trim());
  return Number.isNaN(moment.getTime()) ? null : moment;
}
