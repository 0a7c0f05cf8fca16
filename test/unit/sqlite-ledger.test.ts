import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';
import { SqliteClient } from '../../src/storage/sqlite/sqlite-client.js';
import { sqlStorage } from '../../src/storage/sql/sql-storage.js';
import { verifyChain } from '../../src/storage/verify-chain.js';
import { recordDecision } from '../support/record-decision.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-sqlite-'));
  file = path.join(dir, 'hook.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const row = (over: Partial<DecisionRecord> = {}): DecisionRecord => ({
  interactionId: 'i-1',
  state: 's',
  subject: 'user-1',
  step: 'terms',
  termsVersion: '2026-11',
  termsHash: 'h'.repeat(64),
  locale: 'en',
  decision: 'accepted',
  at: new Date('2026-01-01T00:00:00Z'),
  ip: null,
  userAgent: null,
  claims: null,
  evidence: null,
  ...over,
});

describe('the SQLite ledger', () => {
  it('brings a version 1 database to the current schema, keeping its rows and their sequence', async () => {
    // A database as the first release left it, with a decision already written.
    const v1 = new Database(file);
    v1.exec(`CREATE TABLE sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
      CREATE TABLE claims (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, interaction_id TEXT NOT NULL, state TEXT NOT NULL, subject TEXT, step TEXT NOT NULL,
        terms_version TEXT, terms_hash TEXT, locale TEXT,
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed')), at INTEGER NOT NULL, ip TEXT, user_agent TEXT, claims TEXT,
        UNIQUE (interaction_id, step));
      CREATE TABLE published_terms (step TEXT NOT NULL, version TEXT NOT NULL, locale TEXT NOT NULL, sha256 TEXT NOT NULL, first_seen INTEGER NOT NULL, PRIMARY KEY (step, version, locale));
      INSERT INTO decisions (seq, interaction_id, state, subject, step, decision, at) VALUES (41, 'old', 'old-state', 'user-1', 'terms', 'declined', 1);
      PRAGMA user_version = 1;`);
    v1.close();
    // As the hook itself keeps it: a database others could read is refused (private-files.ts).
    chmodSync(file, 0o600);

    const storage = openSqlite(file);
    expect(await recordDecision(storage, row({ decision: 'already_accepted' }))).toBe(true);
    const rows = [];
    for await (const r of storage.ledger.decisions()) rows.push([r.interactionId, r.decision]);
    expect(rows).toEqual([
      ['old', 'declined'],
      ['i-1', 'already_accepted'],
    ]);
    await storage.close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    expect(db.prepare('SELECT seq FROM decisions ORDER BY seq').pluck().all()).toEqual([41, 42]);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('takes the skipped decision after migration 7, the rows, their chain and the sequence kept as they were', async () => {
    const db = new Database(':memory:');
    migrateSqlite(db, 6);
    const before = sqlStorage(new SqliteClient(db), 'sqlite');
    for (const id of ['a', 'b', 'c'])
      await recordDecision(
        before,
        row({ interactionId: id, at: new Date(`2026-01-0${id === 'a' ? 1 : 2}T00:00:00Z`) }),
      );
    // Retention took the newest seq's predecessors only: the sequence stays above what is left.
    expect(await before.ledger.prune(new Date('2026-01-02T00:00:00Z'))).toBe(1);
    await expect(recordDecision(before, row({ interactionId: 'd', decision: 'skipped' }))).rejects.toThrow(
      /CHECK constraint/,
    );
    const kept = db.prepare('SELECT * FROM decisions ORDER BY seq').all();

    migrateSqlite(db);
    const storage = sqlStorage(new SqliteClient(db), 'sqlite');
    expect(db.prepare('SELECT * FROM decisions ORDER BY seq').all()).toEqual(kept);
    expect(
      await recordDecision(
        storage,
        row({ interactionId: 'd', decision: 'skipped', evidence: { when: 'member_number absent' } }),
      ),
    ).toBe(true);
    expect(db.prepare('SELECT seq FROM decisions ORDER BY seq').pluck().all()).toEqual([2, 3, 4]);
    expect(await verifyChain(storage.ledger)).toMatchObject({ ok: true, rows: 3 });
    expect(() => db.exec("UPDATE decisions SET decision = 'accepted'")).toThrow(/append-only/);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    await storage.close();

    // Every row pruned before the migration: the next one still gets a seq never used before.
    const emptied = new Database(':memory:');
    migrateSqlite(emptied, 6);
    const old = sqlStorage(new SqliteClient(emptied), 'sqlite');
    await recordDecision(old, row({ interactionId: 'a' }));
    await recordDecision(old, row({ interactionId: 'b' }));
    expect(await old.ledger.prune(new Date('2027-01-01T00:00:00Z'))).toBe(2);
    migrateSqlite(emptied);
    const after = sqlStorage(new SqliteClient(emptied), 'sqlite');
    await recordDecision(after, row({ interactionId: 'c', decision: 'skipped' }));
    expect(emptied.prepare('SELECT seq FROM decisions').pluck().all()).toEqual([3]);
    expect(await verifyChain(after.ledger)).toMatchObject({ ok: true, rows: 1 });
    await after.close();
  });

  it('refuses to open a database from a newer release', () => {
    const newer = new Database(file);
    newer.pragma('user_version = 99');
    newer.close();
    chmodSync(file, 0o600);
    expect(() => openSqlite(file)).toThrow(/schema \(version 99\) is newer than this release knows/);
  });

  it('is append-only: a row cannot be changed, even by hand, and a second decision on a step is refused', async () => {
    const storage = openSqlite(file);
    expect(await recordDecision(storage, row())).toBe(true);
    expect(await recordDecision(storage, row({ decision: 'declined' }))).toBe(false);
    const db = new Database(file);
    expect(() => db.exec("UPDATE decisions SET decision = 'declined'")).toThrow(/append-only/);
    db.close();
    const rows = [];
    for await (const r of storage.ledger.decisions()) rows.push(r.decision);
    expect(rows).toEqual(['accepted']);
    await storage.close();
  });

  it('counts only explicit acceptances of that step and version for skipIfAccepted', async () => {
    const storage = openSqlite(file);
    await recordDecision(storage, row({ interactionId: 'a', decision: 'declined' }));
    await recordDecision(storage, row({ interactionId: 'b', decision: 'already_accepted' }));
    expect(await storage.ledger.hasAccepted('user-1', 'terms', '2026-11')).toBe(false);
    await recordDecision(storage, row({ interactionId: 'c' }));
    expect(await storage.ledger.hasAccepted('user-1', 'terms', '2026-11')).toBe(true);
    expect(await storage.ledger.hasAccepted('user-1', 'terms', '2027-01')).toBe(false);
    expect(await storage.ledger.hasAccepted('user-1', 'privacy', '2026-11')).toBe(false);
    expect(await storage.ledger.hasAccepted('user-2', 'terms', '2026-11')).toBe(false);
    await storage.close();
  });

  it('keeps what a published version means, and says what it was', async () => {
    const storage = openSqlite(file);
    const terms = { step: 'terms', version: '2026-11', locale: 'en', sha256: 'a'.repeat(64) };
    expect(await storage.terms.publish(terms)).toEqual({ ok: true });
    expect(await storage.terms.publish(terms)).toEqual({ ok: true });
    expect(await storage.terms.publish({ ...terms, sha256: 'b'.repeat(64) })).toEqual({
      ok: false,
      publishedSha256: 'a'.repeat(64),
    });
    expect(await storage.terms.publish({ ...terms, locale: 'fr', sha256: 'b'.repeat(64) })).toEqual({ ok: true });
    await storage.close();
  });

  it('reads from a moment on and prunes before one', async () => {
    const storage = openSqlite(file);
    for (const [id, day] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      await recordDecision(storage, row({ interactionId: id, at: new Date(`2026-01-0${day}T00:00:00Z`) }));
    const since = [];
    for await (const r of storage.ledger.decisions({ since: new Date('2026-01-02T00:00:00Z') }))
      since.push(r.interactionId);
    expect(since).toEqual(['b', 'c']);
    expect(await storage.ledger.prune(new Date('2026-01-03T00:00:00Z'))).toBe(2);
    const rest = [];
    for await (const r of storage.ledger.decisions()) rest.push(r.interactionId);
    expect(rest).toEqual(['c']);
    await storage.close();
  });
});
