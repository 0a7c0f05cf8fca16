import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteGroupCommit } from '../../src/storage/sqlite/group-commit.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import { viaCallback } from '../support/callback.js';
import { recordDecision } from '../support/record-decision.js';

let dir: string;
let file: string;
let db: Database.Database;
let writes: SqliteGroupCommit;
const rowsSeenByAnotherConnection = () => {
  const reader = new Database(file, { readonly: true });
  try {
    return (reader.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;
  } finally {
    reader.close();
  }
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'group-commit-'));
  file = path.join(dir, 'test.db');
  db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER NOT NULL CHECK (n >= 0))');
  writes = new SqliteGroupCommit(db);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A write for the queue: inserts `k`, true when it was new. */
const insert =
  (k: string, n = 1) =>
  () =>
    db.prepare('INSERT INTO t (k, n) VALUES (?, ?) ON CONFLICT DO NOTHING').run(k, n).changes === 1;

describe('SqliteGroupCommit', () => {
  it('commits the writes of one turn together, and resolves each only once they are all on disk', async () => {
    const pending = Array.from({ length: 50 }, (_, i) => writes.run(insert(`k${i}`)));
    expect(rowsSeenByAnotherConnection()).toBe(0);
    const seenAtFirstResolve = pending[0]!.then(() => rowsSeenByAnotherConnection());
    expect(await Promise.all(pending)).toEqual(Array(50).fill(true));
    expect(await seenAtFirstResolve).toBe(50);
  });

  it('hands each caller its own result, so racing claims still have one winner', async () => {
    expect(
      await Promise.all([writes.run(insert('same')), writes.run(insert('same')), writes.run(insert('other'))]),
    ).toEqual([true, false, true]);
  });

  it('fails a write that breaks a constraint alone; the rest of its batch commits', async () => {
    const results = await Promise.allSettled([
      writes.run(insert('a')),
      writes.run(insert('bad', -1)),
      writes.run(insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint failed/);
    expect(rowsSeenByAnotherConnection()).toBe(2);
  });

  it('fails the whole batch, and runs nothing outside it, when the transaction is lost', async () => {
    const results = await Promise.allSettled([
      writes.run(insert('a')),
      writes.run(() => db.exec('ROLLBACK')),
      writes.run(insert('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(rowsSeenByAnotherConnection()).toBe(0);
    // And the next batch works.
    expect(await writes.run(insert('c'))).toBe(true);
  });

  it('leaves the event loop free while another process holds the write lock, then commits the batch', async () => {
    db.pragma('busy_timeout = 5000');
    writes = new SqliteGroupCommit(db);
    const other = new Database(file);
    try {
      other.exec('BEGIN IMMEDIATE');
      const first = writes.run(insert('a'));
      // A tick of the loop that a blocked busy handler would hold up for five seconds.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = writes.run(insert('b'));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(rowsSeenByAnotherConnection()).toBe(0);
      other.exec('COMMIT');
      expect(await Promise.all([first, second])).toEqual([true, true]);
      expect(rowsSeenByAnotherConnection()).toBe(2);
      // Other statements still wait for a busy database as long as they were told to.
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      other.close();
    }
  });

  it('fails the queued writes, and keeps none of them, when the database cannot be written', async () => {
    const queued = [writes.run(insert('a')), writes.run(insert('b'))];
    db.close();
    const results = await Promise.allSettled(queued);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/database connection is not open/);
    expect(rowsSeenByAnotherConnection()).toBe(0);
  });
});

describe('the session store on group commit', () => {
  const call = viaCallback;
  const storedExpiry = (sid: string) => {
    const reader = new Database(path.join(dir, 'hook.db'), { readonly: true });
    try {
      return (reader.prepare('SELECT expires_at FROM sessions WHERE sid = ?').get(sid) as { expires_at: number })
        .expires_at;
    } finally {
      reader.close();
    }
  };

  it('stores sessions durably, and has no touch: the expiry moves only with a save, as the cookie does', async () => {
    const storage = openSqlite(path.join(dir, 'hook.db'));
    const store = storage.sessions;
    const at = (ms: number) => ({ cookie: { originalMaxAge: 600_000, expires: new Date(ms) } }) as never;
    const now = Date.now();
    await call((cb) => store.set('sid-1', at(now + 600_000), cb));
    expect(storedExpiry('sid-1')).toBe(now + 600_000);
    expect(typeof store.touch).toBe('undefined');
    await call((cb) => store.set('sid-1', at(now + 700_000), cb));
    expect(storedExpiry('sid-1')).toBe(now + 700_000);
    expect(await call((cb) => store.get('sid-1', cb))).toMatchObject({ cookie: { originalMaxAge: 600_000 } });
    await call((cb) => store.destroy('sid-1', cb));
    expect(await call((cb) => store.get('sid-1', cb))).toBeNull();
    await storage.close();
  });
});

describe('SqliteStorage with group commit', () => {
  const decision = (interactionId: string, decision: string): DecisionRecord => ({
    interactionId,
    state: 's',
    subject: null,
    step: 'terms',
    termsVersion: '1',
    termsHash: null,
    locale: 'en',
    decision: decision as DecisionRecord['decision'],
    at: new Date(),
    ip: null,
    userAgent: null,
    claims: null,
    evidence: null,
  });

  it('records concurrent decisions durably, one per interaction and step, and flushes what is queued on close', async () => {
    const storage = openSqlite(path.join(dir, 'hook.db'));
    const first = await Promise.all([
      recordDecision(storage, decision('i1', 'accepted')),
      recordDecision(storage, decision('i1', 'declined')),
      recordDecision(storage, decision('i2', 'declined')),
      storage.tokens.claimOnce('token:x', new Date(Date.now() + 60_000)),
      storage.tokens.claimOnce('token:x', new Date(Date.now() + 60_000)),
    ]);
    expect(first).toEqual([true, false, true, true, false]);
    await expect(recordDecision(storage, decision('i3', 'maybe'))).rejects.toThrow(/CHECK constraint/);
    const queued = recordDecision(storage, decision('i4', 'accepted'));
    await storage.close();
    expect(await queued).toBe(true);

    const reopened = openSqlite(path.join(dir, 'hook.db'));
    const rows = [];
    for await (const row of reopened.ledger.decisions()) rows.push([row.interactionId, row.decision]);
    await reopened.close();
    expect(rows).toEqual([
      ['i1', 'accepted'],
      ['i2', 'declined'],
      ['i4', 'accepted'],
    ]);
  });
});
