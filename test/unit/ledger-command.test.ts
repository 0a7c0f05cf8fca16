import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ledgerCommand, parseMoment } from '../../src/cli/ledger-command.js';
import { csvCell } from '../../src/cli/ledger-export.js';
import { commands } from '../../src/cli/commands.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import { expectedHash, exportLines, recomputeChain } from '../support/chain-recompute.js';
import { runCommand } from '../support/run-command.js';
import { recordDecision } from '../support/record-decision.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-ledger-cli-'));
  const storage = openSqlite(path.join(dataDir, 'hook.db'));
  for (const row of ROWS) expect(await recordDecision(storage, row)).toBe(true);
  await storage.close();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const base: DecisionRecord = {
  interactionId: 'i-1',
  state: 'state-1',
  subject: 'user-1',
  step: 'terms',
  termsVersion: '2026-11',
  termsHash: 'a'.repeat(64),
  locale: 'en',
  decision: 'accepted',
  at: new Date('2025-01-10T10:00:00.000Z'),
  ip: null,
  userAgent: null,
  claims: null,
  evidence: null,
};
const ROWS: DecisionRecord[] = [
  base,
  {
    ...base,
    interactionId: 'i-2',
    state: 'state-2',
    decision: 'declined',
    subject: null,
    at: new Date('2026-03-01T08:30:00.000Z'),
  },
  {
    ...base,
    interactionId: 'i-3',
    state: 'state,"3"',
    subject: '=HYPERLINK("http://evil.example")',
    decision: 'expired',
    userAgent: 'Wallet/1.0\r\nX',
    ip: '203.0.113.9',
    claims: { email: 'a@b.example' },
    at: new Date('2026-06-01T00:00:00.000Z'),
  },
];

const run = (args: string[], env: Record<string, string> = { DATA_DIR: dataDir }) => runCommand('ledger', args, env);

describe('interaction-hook ledger export', () => {
  it('is registered as a command', () => {
    expect(commands.ledger).toBe(ledgerCommand);
  });

  it('streams every record as JSON lines, oldest first, exactly, with the hashes that chain them', async () => {
    const { code, out, err } = await run(['export']);
    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = exportLines(out);
    expect(lines.map((l) => l.interactionId)).toEqual(['i-1', 'i-2', 'i-3']);
    const genesis = '0'.repeat(64);
    expect(lines[0]).toEqual({
      at: '2025-01-10T10:00:00.000Z',
      interactionId: 'i-1',
      state: 'state-1',
      subject: 'user-1',
      step: 'terms',
      termsVersion: '2026-11',
      termsHash: 'a'.repeat(64),
      locale: 'en',
      decision: 'accepted',
      ip: null,
      userAgent: null,
      claims: null,
      evidence: null,
      prevHash: genesis,
      hash: expectedHash({ ...lines[0], prevHash: genesis }),
    });
    // Recomputed from the export alone, by the documented canonical form: the head is what `ledger head` prints.
    const head = recomputeChain(lines);
    expect((await run(['head'])).out).toContain(`Head:   ${head}\nLength: 3 records appended in all\n`);
    expect(lines[2]).toMatchObject({
      state: 'state,"3"',
      subject: '=HYPERLINK("http://evil.example")',
      claims: { email: 'a@b.example' },
      userAgent: 'Wallet/1.0\r\nX',
    });
  });

  it('writes CSV with a header, RFC 4180 quoting and formulas defused', async () => {
    const { code, out } = await run(['export', '--format', 'csv']);
    expect(code).toBe(0);
    const lines = out.split('\r\n');
    const [h1, h2, h3] = exportLines((await run(['export'])).out).map((l) => String(l.hash));
    expect(lines[0]).toBe(
      'at,interaction_id,state,subject,step,terms_version,terms_hash,locale,decision,ip,user_agent,claims,evidence,prev_hash,hash',
    );
    expect(lines[1]).toBe(
      `2025-01-10T10:00:00.000Z,i-1,state-1,user-1,terms,2026-11,${'a'.repeat(64)},en,accepted,,,,,${'0'.repeat(64)},${h1}`,
    );
    expect(lines[2]).toBe(
      `2026-03-01T08:30:00.000Z,i-2,state-2,,terms,2026-11,${'a'.repeat(64)},en,declined,,,,,${h1},${h2}`,
    );
    // The quoted user agent holds a line break, so the third record spans two physical lines.
    expect(`${lines[3]}\r\n${lines[4]}`).toBe(
      `2026-06-01T00:00:00.000Z,i-3,"state,""3""","'=HYPERLINK(""http://evil.example"")",terms,2026-11,${'a'.repeat(64)},en,expired,203.0.113.9,"Wallet/1.0\r\nX","{""email"":""a@b.example""}",,${h2},${h3}`,
    );
    expect(lines[5]).toBe('');
  });

  it('exports only from --since on, as a date or a number of days', async () => {
    expect((await run(['export', '--since', '2026-01-01'])).out.trim().split('\n')).toHaveLength(2);
    expect((await run(['export', '--since', '2026-06-01T00:00:00Z'])).out.trim().split('\n')).toHaveLength(1);
    expect((await run(['export', '--since', '0d'])).out).toBe('');
  });

  it('holds the export while the reader is slow (back-pressure), losing nothing', async () => {
    const slow = new PassThrough({ highWaterMark: 16 });
    const chunks: string[] = [];
    const done = ledgerCommand.run(['export'], { env: { DATA_DIR: dataDir }, out: slow, err: new PassThrough() });
    let finished = false;
    void done.then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(finished).toBe(false); // waiting for the reader, not buffering everything
    slow.on('data', (c) => chunks.push(String(c)));
    expect(await done).toBe(0);
    expect(chunks.join('').trim().split('\n')).toHaveLength(3);
  });

  it('stops quietly when the reader goes away (`| head`), and fails on any other write error', async () => {
    const closing = (code: string) =>
      new Writable({
        write(_chunk, _enc, done) {
          done(Object.assign(new Error(code), { code }));
        },
      });
    expect(
      await ledgerCommand.run(['export'], {
        env: { DATA_DIR: dataDir },
        out: closing('EPIPE'),
        err: new PassThrough(),
      }),
    ).toBe(0);
    const err = new PassThrough();
    expect(await ledgerCommand.run(['export'], { env: { DATA_DIR: dataDir }, out: closing('ENOSPC'), err })).toBe(1);
    expect(String(err.read())).toContain('ENOSPC');
  });
});

describe('interaction-hook ledger prune', () => {
  it('deletes the records older than --before and says how many', async () => {
    const { code, out } = await run(['prune', '--before', '2026-01-01']);
    expect(code).toBe(0);
    const [first] = exportLines((await run(['export'])).out);
    expect(first!.interactionId).toBe('i-2');
    expect(out).toBe(
      `Deleted 1 ledger record from before 2026-01-01T00:00:00.000Z.\nThe chain now starts from checkpoint ${String(first!.prevHash)} (1 record pruned in all).\n${(await run(['head'])).out}`,
    );
    const rest = (await run(['export'])).out
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { interactionId: string }).interactionId);
    expect(rest).toEqual(['i-2', 'i-3']);
    expect((await run(['prune', '--before', '2026-01-01'])).out).toMatch(
      /^Deleted 0 ledger records from before 2026-01-01T00:00:00.000Z.\n/,
    );
  });

  it('accepts a number of days', async () => {
    const { out } = await run(['prune', '--before', '1d']);
    expect(out).toMatch(/^Deleted 3 ledger records/);
  });
});

describe('usage', () => {
  it('explains itself with --help on the command and on each sub-command', async () => {
    for (const args of [['--help'], ['export', '--help'], ['prune', '-h']]) {
      const { code, out } = await run(args);
      expect(code).toBe(0);
      expect(out).toContain('ledger export [--since <when>] [--format jsonl|csv]');
      expect(out).toContain('ledger prune --before <when>');
    }
  });

  it('refuses wrong usage with exit code 2 and a message that names the problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: interaction-hook ledger/],
      [['burn'], /unknown sub-command "burn"/],
      [['export', '--format', 'xml'], /--format must be jsonl or csv, got "xml"/],
      [['export', '--since', 'last tuesday'], /--since must be an ISO 8601 date/],
      [['export', '--before', '2026-01-01'], /Unknown option '--before'/],
      [['prune'], /prune needs --before <when>/],
      [['prune', '--before', 'soon'], /--before must be an ISO 8601 date/],
      [['prune', '--before', '2999-01-01'], /is in the future/],
      [['export', 'extra'], /positional/i],
    ];
    for (const [args, message] of cases) {
      const { code, err, out } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toMatch(message);
      expect(out).toBe('');
    }
    // Nothing was pruned by any of that.
    expect((await run(['export'])).out.trim().split('\n')).toHaveLength(3);
  });

  it('names a DATA_DIR that holds no ledger instead of creating an empty one', async () => {
    const elsewhere = path.join(dataDir, 'not-here');
    const { code, err } = await run(['export'], { DATA_DIR: elsewhere });
    expect(code).toBe(1);
    expect(err).toContain(`There is no hook database at ${path.join(elsewhere, 'hook.db')}`);
  });
});

describe('helpers', () => {
  it('parses ISO 8601 dates and day counts, and nothing else', () => {
    const now = new Date('2026-06-10T00:00:00Z');
    expect(parseMoment('2026-01-31', now)?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
    expect(parseMoment('2026-01-31T12:00:00+02:00', now)?.toISOString()).toBe('2026-01-31T10:00:00.000Z');
    expect(parseMoment('10d', now)?.toISOString()).toBe('2026-05-31T00:00:00.000Z');
    for (const bad of ['', 'yesterday', '2026-13-45', '31/01/2026', '1e3d', '2026-01-31; DROP TABLE'])
      expect(parseMoment(bad, now), bad).toBeNull();
  });

  it('quotes CSV cells only when needed', () => {
    expect(csvCell(null)).toBe('');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
