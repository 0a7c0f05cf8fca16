import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Storage } from '../storage/ports.js';
import type { DecisionRecord } from '../interaction/model.js';
import { EXIT, type Command } from './command.js';
import { parseSubcommand, subcommandUsage } from './parse-options.js';
import { withStorage } from './with-storage.js';

const HELP = `Usage: interaction-hook ledger <export|prune> [options]

The consent ledger: every decision users made on the steps, append-only. Opens the storage the
server uses, from the same environment (DATA_DIR).

  ledger export [--since <when>] [--format jsonl|csv]
      Writes the records, oldest first, to standard output.
      --since   only records from this moment on
      --format  jsonl (default: one JSON object per line, exact) or csv (a header row, then one
                row per record; cells that a spreadsheet would run as a formula get a leading ')

  ledger prune --before <when>
      Deletes the records older than <when> (retention) and says how many went.

<when> is a date or time in ISO 8601 (2026-01-31, 2026-01-31T12:00:00Z) or a number of days
ago (400d).`;

const COLUMNS = ['at', 'interaction_id', 'state', 'subject', 'step', 'terms_version', 'terms_hash', 'locale', 'decision', 'ip', 'user_agent', 'claims', 'evidence'] as const;

/** `interaction-hook ledger export|prune`: the ledger out of the database, and retention. */
export const ledgerCommand: Command = {
  summary: 'export the consent ledger (jsonl or csv), or prune it for retention',
  async run(args, io) {
    const parsed = parseSubcommand(args, io, { command: 'ledger', help: HELP, subcommands: ['export', 'prune'] }, (sub, rest) => {
      const values: { since?: string; format?: string; before?: string } = parseArgs({
        args: rest,
        options: sub === 'export' ? { since: { type: 'string' }, format: { type: 'string' } } : { before: { type: 'string' } },
        strict: true,
        allowPositionals: false,
      }).values;
      return { sub, values };
    });
    if (typeof parsed === 'number') return parsed;
    const { sub, values } = parsed;
    const now = new Date();
    if (sub === 'export') {
      const format = values.format ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv') return subcommandUsage(io, 'ledger', `--format must be jsonl or csv, got "${format}"`);
      const since = values.since === undefined ? undefined : parseMoment(values.since, now);
      if (since === null) return subcommandUsage(io, 'ledger', `--since must be an ISO 8601 date or time, or a number of days such as 30d; got "${values.since}"`);
      return withStorage(io, 'The ledger', async (storage) => {
        await exportLedger(storage, io.out, { since, format });
        return EXIT.ok;
      });
    }
    if (values.before === undefined) return subcommandUsage(io, 'ledger', 'prune needs --before <when>');
    const before = parseMoment(values.before, now);
    if (before === null) return subcommandUsage(io, 'ledger', `--before must be an ISO 8601 date or time, or a number of days such as 400d; got "${values.before}"`);
    if (before.getTime() > now.getTime()) return subcommandUsage(io, 'ledger', `--before ${values.before} is in the future: that would delete records still being written`);
    return withStorage(io, 'The ledger', async (storage) => {
      const deleted = await storage.ledger.prune(before);
      io.out.write(`Deleted ${deleted} ledger record${deleted === 1 ? '' : 's'} from before ${before.toISOString()}.\n`);
      return EXIT.ok;
    });
  },
};

async function exportLedger(storage: Storage, out: Writable, options: { since: Date | undefined; format: 'jsonl' | 'csv' }): Promise<void> {
  let failure: Error | undefined;
  const onError = (error: Error) => (failure ??= error);
  out.on('error', onError);
  try {
    if (options.format === 'csv') await write(out, `${COLUMNS.join(',')}\r\n`);
    for await (const record of storage.ledger.decisions({ since: options.since })) {
      if (failure) break;
      await write(out, options.format === 'csv' ? csvRow(record) : `${JSON.stringify(jsonRecord(record))}\n`);
    }
  } finally {
    out.off('error', onError);
  }
  // A reader that went away (`| head`) is not a failure of the export.
  if (failure && (failure as NodeJS.ErrnoException).code !== 'EPIPE') throw failure;
}

/** Writes with back-pressure, so a slow reader holds the export instead of filling memory. */
async function write(out: Writable, chunk: string): Promise<void> {
  if (out.write(chunk)) return;
  // An error ends the wait as well; exportLedger has recorded it and decides what it means.
  await Promise.race([once(out, 'drain'), once(out, 'close')]).catch(() => undefined);
}

function jsonRecord(r: DecisionRecord): Record<string, unknown> {
  return {
    at: r.at.toISOString(),
    interactionId: r.interactionId,
    state: r.state,
    subject: r.subject,
    step: r.step,
    termsVersion: r.termsVersion,
    termsHash: r.termsHash,
    locale: r.locale,
    decision: r.decision,
    ip: r.ip,
    userAgent: r.userAgent,
    claims: r.claims,
    evidence: r.evidence,
  };
}

function csvRow(r: DecisionRecord): string {
  const cells = [
    r.at.toISOString(),
    r.interactionId,
    r.state,
    r.subject,
    r.step,
    r.termsVersion,
    r.termsHash,
    r.locale,
    r.decision,
    r.ip,
    r.userAgent,
    r.claims === null ? null : JSON.stringify(r.claims),
    r.evidence === null ? null : JSON.stringify(r.evidence),
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** RFC 4180 quoting; a cell a spreadsheet would evaluate as a formula is defused with a leading '. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** An ISO 8601 date or date-time, or `<n>d` days before `now`; null when it is neither. */
export function parseMoment(text: string, now: Date): Date | null {
  const days = /^(\d{1,5})d$/.exec(text.trim());
  if (days) return new Date(now.getTime() - Number(days[1]) * 86_400_000);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())) return null;
  const moment = new Date(text.trim());
  return Number.isNaN(moment.getTime()) ? null : moment;
}
