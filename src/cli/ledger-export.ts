import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { recordJson, type ChainedDecision } from '../storage/ledger-chain.js';
import type { Storage } from '../storage/ports.js';

const COLUMNS = [
  'at',
  'interaction_id',
  'state',
  'subject',
  'step',
  'terms_version',
  'terms_hash',
  'locale',
  'decision',
  'ip',
  'user_agent',
  'claims',
  'evidence',
  'prev_hash',
  'hash',
] as const;

/** Writes the ledger, oldest first, each row with its links in the hash chain. */
export async function exportLedger(
  storage: Storage,
  out: Writable,
  options: { since: Date | undefined; format: 'jsonl' | 'csv' },
): Promise<void> {
  let failure: Error | undefined;
  const onError = (error: Error) => (failure ??= error);
  out.on('error', onError);
  try {
    if (options.format === 'csv') await write(out, `${COLUMNS.join(',')}\r\n`);
    for await (const row of storage.ledger.chained({ since: options.since })) {
      if (failure) break;
      await write(
        out,
        options.format === 'csv'
          ? csvRow(row)
          : `${JSON.stringify({ ...recordJson(row.record), prevHash: row.prevHash, hash: row.hash })}\n`,
      );
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

function csvRow({ record: r, prevHash, hash }: ChainedDecision): string {
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
    prevHash,
    hash,
  ];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** RFC 4180 quoting; a cell a spreadsheet would evaluate as a formula is defused with a leading '. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
