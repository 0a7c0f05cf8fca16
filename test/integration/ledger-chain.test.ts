import { chmodSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/storage/postgres/migrations.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import type { Storage } from '../../src/storage/ports.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';
import { verifyChain } from '../../src/storage/verify-chain.js';
import { expectedHash, exportLines, recomputeChain } from '../support/chain-recompute.js';
import { rawLedger, type RawLedger } from '../support/raw-ledger.js';
import { runCommand } from '../support/run-command.js';
import { TEST_ENGINE } from '../support/storage-engine.js';
import { storageHandles } from '../support/storage-handles.js';
import { recordDecision } from '../support/record-decision.js';

/**
 * The ledger's hash chain on this run's engine: what `ledger verify` says of an untouched ledger and
 * of one changed by hand, appends racing from two handles (two replicas), prune, a database from
 * before the chain, and an export that a third party can recompute.
 */
const handles = storageHandles('chain');
const ledger = (...args: string[]) => runCommand('ledger', args, handles.env());
const GENESIS = '0'.repeat(64);

function decision(i: number, overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    interactionId: `i-${i}`,
    state: `state-${i}`,
    subject: `subject-${i}`,
    step: 'terms',
    termsVersion: '2026-11',
    termsHash: 'a'.repeat(64),
    locale: 'en',
    decision: 'accepted',
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    ip: null,
    userAgent: null,
    claims: null,
    evidence: null,
    ...overrides,
  };
}

/** Five rows through the hook, and the raw table beside them. */
async function fiveRows(): Promise<{ storage: Storage; raw: RawLedger; seqs: number[] }> {
  const storage = await handles.handle();
  for (let i = 1; i <= 5; i++) expect(await recordDecision(storage, decision(i))).toBe(true);
  const raw = await rawLedger(handles.env());
  return { storage, raw, seqs: await raw.seqs() };
}

async function exported(): Promise<Array<Record<string, unknown>>> {
  const { code, out } = await ledger('export');
  expect(code).toBe(0);
  return exportLines(out);
}

async function refusedNaming(seq: number | null, kind: RegExp) {
  const { code, err, out } = await ledger('verify');
  expect(out).toBe('');
  expect(code).toBe(1);
  if (seq !== null) expect(err).toContain(`row ${seq} (`);
  expect(err).toMatch(kind);
  return err;
}

describe(`the ledger's hash chain on ${TEST_ENGINE}`, () => {
  it('verifies an untouched ledger, printing the count and the head that an independent recomputation of the export gives', async () => {
    await fiveRows();
    const head = recomputeChain(await exported());
    const verified = await ledger('verify');
    expect(verified).toMatchObject({ code: 0, err: '' });
    expect(verified.out).toBe(`The ledger verifies: 5 records.\nHead:   ${head}\nLength: 5 records appended in all\n`);
    expect((await ledger('head')).out).toBe(`Head:   ${head}\nLength: 5 records appended in all\n`);
  });

  it('names a row whose content was changed by hand', async () => {
    const { raw, seqs } = await fiveRows();
    await raw.change(seqs[2]!, 'decision', 'declined');
    await raw.close();
    await refusedNaming(
      seqs[2]!,
      /interaction i-3, step terms, .*was changed after it was written: its content no longer gives its hash/,
    );
  });

  it('names the row after one that was deleted by hand, and says the last rows went when they did', async () => {
    const { raw, seqs } = await fiveRows();
    await raw.remove(seqs[1]!);
    await refusedNaming(
      seqs[2]!,
      new RegExp(`does not follow the row before it \\(${seqs[0]}\\): the row or rows it links to were removed`),
    );
    await raw.sql('DELETE FROM decisions');
    await raw.close();
    await refusedNaming(null, /the last 5 rows were removed: the chain record counts 5 rows, the ledger ends after 0/);
  });

  it('names a row inserted by hand, with or without a hash computed to fit, and the row after a replaced one', async () => {
    const { raw, seqs } = await fiveRows();
    await raw.insert({ record: decision(6) });
    await refusedNaming(
      seqs[4]! + 1,
      /interaction i-6, .*has no hash: it was not appended by the hook but written into the table by hand/,
    );
    await raw.remove(seqs[4]! + 1);

    // Someone who knows the canonical form links a row to the head: the chain record still counts five.
    const [fifth] = (await exported()).slice(-1);
    const forged = { ...exportedShape(decision(7)), prevHash: fifth!.hash };
    await raw.insert({ record: decision(7), chain: { prevHash: String(fifth!.hash), hash: expectedHash(forged) } });
    const err = await refusedNaming(null, /was inserted after the head: the chain record counts 5 rows/);
    expect(err).toMatch(/row \d+ \(interaction i-7/);
    await raw.sql('DELETE FROM decisions WHERE interaction_id = ?', ['i-7']);

    // One slipped in ahead of the first row, fitting the start: the first row links past it.
    const ahead = { ...exportedShape(decision(8)), prevHash: GENESIS };
    await raw.insert({ seq: 0, record: decision(8), chain: { prevHash: GENESIS, hash: expectedHash(ahead) } });
    await refusedNaming(
      0,
      new RegExp(`interaction i-8, .*was inserted: row ${seqs[0]} links past it, to the row before it`),
    );
    await raw.remove(0);

    // One put in place of a deleted row, fitting the row before it: the row after still links to the original.
    await raw.remove(seqs[2]!);
    const second = (await exported())[1]!;
    const replacement = { ...exportedShape(decision(9)), prevHash: second.hash };
    await raw.insert({
      seq: seqs[2]!,
      record: decision(9),
      chain: { prevHash: String(second.hash), hash: expectedHash(replacement) },
    });
    await raw.close();
    await refusedNaming(
      seqs[3]!,
      new RegExp(
        `interaction i-4, .*does not follow the row before it \\(${seqs[2]}\\): the row or rows it links to were removed \\(or replaced\\)`,
      ),
    );
  });

  it('shows a rewrite of the whole chain against a head copied earlier', async () => {
    const { raw } = await fiveRows();
    const trusted = /Head: {3}([0-9a-f]{64})/.exec((await ledger('head')).out)![1]!;
    expect((await ledger('verify', '--head', trusted)).out).toContain(
      'It passes through the trusted head, record 5 of the chain; 0 records appended after it.\n',
    );

    // Rewritten by someone who knows the canonical form: consistent in itself, so verify alone passes.
    await raw.sql('DELETE FROM decisions');
    let prevHash = GENESIS;
    for (let i = 1; i <= 5; i++) {
      const record = decision(i, { decision: i === 3 ? 'declined' : 'accepted' });
      const hash = expectedHash({ ...exportedShape(record), prevHash });
      await raw.insert({ record, chain: { prevHash, hash } });
      prevHash = hash;
    }
    await raw.sql('UPDATE ledger_chain SET head_hash = ?', [prevHash]);
    await raw.close();
    expect((await ledger('verify')).code).toBe(0);
    const against = await ledger('verify', '--head', trusted);
    expect(against.code).toBe(1);
    expect(against.err).toBe(
      `The ledger does not verify: the trusted head ${trusted} is not in this chain: the ledger was rewritten.\n`,
    );
    expect((await ledger('verify', '--head', 'not-a-hash')).code).toBe(2);
  });

  it('keeps one valid chain when two handles (two replicas) append at the same time', async () => {
    const [a, b] = [await handles.handle(), await handles.handle()];
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => recordDecision(i % 2 === 0 ? a : b, decision(i, { at: new Date() }))),
    );
    expect(results.every(Boolean)).toBe(true);
    const verdict = await verifyChain(b.ledger);
    expect(verdict).toMatchObject({ ok: true, rows: 60, state: { length: 60 } });
    const lines = await exported();
    // A fork would give two rows the same predecessor.
    expect(new Set(lines.map((l) => l.prevHash)).size).toBe(60);
    expect(recomputeChain(lines)).toBe(verdict.ok ? verdict.state.headHash : '');
  });

  it('stays verifiable after a prune, from the checkpoint of the last row pruned', async () => {
    const storage = await handles.handle();
    for (let i = 1; i <= 6; i++)
      await recordDecision(storage, decision(i, { at: new Date(Date.UTC(i <= 3 ? 2020 : 2026, 0, i)) }));
    const before = await exported();
    const early = String(before[1]!.hash);
    const trusted = String(before[5]!.hash);

    const pruned = await ledger('prune', '--before', '2025-01-01');
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain(
      `Deleted 3 ledger records from before 2025-01-01T00:00:00.000Z.\nThe chain now starts from checkpoint ${String(before[2]!.hash)} (3 records pruned in all).\n`,
    );
    const after = await exported();
    expect(after.map((l) => l.interactionId)).toEqual(['i-4', 'i-5', 'i-6']);
    expect(recomputeChain(after, String(before[2]!.hash))).toBe(trusted);

    const verified = await ledger('verify', '--head', trusted);
    expect(verified.code).toBe(0);
    expect(verified.out).toContain(
      `The ledger verifies: 3 records, after 3 pruned (checkpoint ${String(before[2]!.hash)}).\nHead:   ${trusted}\nLength: 6 records appended in all, 3 of them pruned\n`,
    );
    // A head from before the prune can no longer be checked, and verify says why.
    expect((await ledger('verify', '--head', early)).err).toMatch(
      /is not in this chain: the ledger was rewritten, or that row was pruned \(the chain now starts after 3 pruned rows/,
    );
  });

  it('refuses to prune a broken chain, which would delete the evidence, unless told to', async () => {
    const { raw, seqs } = await fiveRows();
    await raw.change(seqs[0]!, 'subject', 'someone-else');
    await raw.close();
    const refused = await ledger('prune', '--before', '2026-01-01T00:00:02Z');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`The ledger does not verify: row ${seqs[0]} (interaction i-1`);
    expect(refused.err).toContain('Nothing was pruned');
    expect(await exported()).toHaveLength(5);

    const forced = await ledger('prune', '--before', '2026-01-01T00:00:02Z', '--even-if-broken');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/^Deleted 1 ledger record from before/);
    expect((await ledger('verify')).code).toBe(0);
  });

  it('prunes only from the start of the chain: an older row written after a newer one waits', async () => {
    const storage = await handles.handle();
    await recordDecision(storage, decision(1, { at: new Date('2020-01-01T00:00:00Z') }));
    await recordDecision(storage, decision(2, { at: new Date('2026-01-01T00:00:00Z') }));
    await recordDecision(storage, decision(3, { at: new Date('2020-01-02T00:00:00Z') }));
    expect(await storage.ledger.prune(new Date('2025-01-01T00:00:00Z'))).toBe(1);
    expect((await exported()).map((l) => l.interactionId)).toEqual(['i-2', 'i-3']);
    expect(await verifyChain(storage.ledger)).toMatchObject({ ok: true, rows: 2 });
  });

  it('chains a database from before the chain once, in write order, when it is migrated', async () => {
    const env = handles.env();
    if (env.DATABASE_URL === undefined) {
      const file = path.join(env.DATA_DIR!, 'hook.db');
      const db = new Database(file);
      migrateSqlite(db, 5);
      db.close();
      chmodSync(file, 0o600);
    } else {
      await migrate(env.DATABASE_URL, 5);
    }
    const raw = await rawLedger(env);
    // Written out of time order: the chain follows the order of writing.
    const rows = [
      decision(1, { at: new Date('2026-02-01T00:00:00Z'), claims: { email: 'm@example.com' } }),
      decision(2, { at: new Date('2026-01-01T00:00:00Z') }),
      decision(3, { decision: 'declined' }),
    ];
    for (const record of rows) await raw.insert({ record });
    await raw.close();

    const storage = await handles.handle();
    let prevHash = GENESIS;
    for (const record of rows) prevHash = expectedHash({ ...exportedShape(record), prevHash });
    expect(await verifyChain(storage.ledger)).toMatchObject({
      ok: true,
      rows: 3,
      state: { headHash: prevHash, length: 3 },
    });
    // Appends go on from the migrated head.
    await recordDecision(storage, decision(4));
    const lines = await exported();
    expect(lines.map((l) => l.interactionId)).toEqual(['i-1', 'i-2', 'i-3', 'i-4']);
    expect(lines[3]!.prevHash).toBe(prevHash);
    expect((await ledger('verify')).out).toContain(
      `Head:   ${recomputeChain(lines)}\nLength: 4 records appended in all\n`,
    );
  });

  it('exports hashes a third party recomputes from the documented canonical form, nested claims and all', async () => {
    const storage = await handles.handle();
    await recordDecision(
      storage,
      decision(1, {
        ip: '203.0.113.9',
        userAgent: 'Wallet/1.0 (ünïcode, "quotes", 🙂)\n',
        claims: { z: 1.5, a: { y: [3, 'é', null, { b: true, a: false }], b: -0.25 }, ä: 'x' },
        evidence: { method: 'email', attempts: 2, nested: { c: 'd', 'a b': 'e' } },
        subject: null,
      }),
    );
    await recordDecision(
      storage,
      decision(2, { decision: 'already_accepted', termsHash: null, locale: null, termsVersion: null }),
    );
    const lines = await exported();
    expect(lines[0]).toMatchObject({
      claims: { z: 1.5, a: { y: [3, 'é', null, { b: true, a: false }], b: -0.25 }, ä: 'x' },
      prevHash: GENESIS,
    });
    expect(recomputeChain(lines)).toBe(lines[1]!.hash);
  });
});

/** The fields of a record as the export writes them (docs/ledger.md), without the chain's. */
function exportedShape(r: DecisionRecord): Record<string, unknown> {
  return { ...r, at: r.at.toISOString() };
}
