import type { Options as RateLimitOptions, Store as RateLimitStore } from 'express-rate-limit';
import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/ports.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import { TEST_ENGINE } from '../support/storage-engine.js';
import { storageHandles } from '../support/storage-handles.js';
import { viaCallback } from '../support/callback.js';
import { recordDecision } from '../support/record-decision.js';

/**
 * What every engine promises (src/storage/storage.ts), checked the same way on each. Two handles
 * on the same storage stand for two replicas.
 */
const handles = storageHandles('contract');
const handle = () => handles.handle();

const soon = () => new Date(Date.now() + 60_000);

function decision(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    interactionId: 'i-1',
    state: 'state-1',
    subject: 'subject-1',
    step: 'terms',
    termsVersion: '2026-11',
    termsHash: 'a'.repeat(64),
    locale: 'en',
    decision: 'accepted',
    at: new Date('2026-11-01T10:00:00.123Z'),
    ip: null,
    userAgent: null,
    claims: null,
    evidence: null,
    ...overrides,
  };
}

async function all(storage: Storage, filter?: { since?: Date }): Promise<DecisionRecord[]> {
  const rows: DecisionRecord[] = [];
  for await (const row of storage.ledger.decisions(filter)) rows.push(row);
  return rows;
}

const sessionCall = viaCallback;

describe(`storage on ${TEST_ENGINE}`, () => {
  it('names its engine', async () => {
    expect((await handle()).engine).toBe(TEST_ENGINE);
  });

  it('lets exactly one of many simultaneous claims of a key through, across two handles', async () => {
    const [a, b] = [await handle(), await handle()];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 1 ? a : b).tokens.claimOnce('token:race', soon())),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.tokens.claimOnce('token:other', soon())).toBe(true);
  });

  it('keeps a claim until it expires, then prunes it so the key could be claimed again', async () => {
    const storage = await handle();
    expect(await storage.tokens.claimOnce('token:old', new Date(Date.now() - 1000))).toBe(true);
    expect(await storage.tokens.claimOnce('token:live', soon())).toBe(true);
    expect(await storage.pruneExpired(new Date())).toBeGreaterThanOrEqual(1);
    expect(await storage.tokens.claimOnce('token:old', soon())).toBe(true);
    expect(await storage.tokens.claimOnce('token:live', soon())).toBe(false);
  });

  it('records one decision per interaction and step, even when double submits race on two handles', async () => {
    const [a, b] = [await handle(), await handle()];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordDecision(i % 2 === 1 ? a : b, decision({ at: new Date(Date.now() + i) })),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await recordDecision(a, decision({ step: 'address' }))).toBe(true);
    expect(await all(b)).toHaveLength(2);
  });

  it('reads every field back as written, from another handle', async () => {
    const written = decision({
      ip: '203.0.113.9',
      userAgent: 'Wallet/1.0',
      claims: { email: 'm@example.com', n: 3, nested: { ok: true } },
      subject: null,
      locale: 'mi',
    });
    expect(await recordDecision(await handle(), written)).toBe(true);
    const [read] = await all(await handle());
    expect(read).toEqual(written);
  });

  it('is durable: a decision is there after the storage is closed and opened again', async () => {
    const first = await handle();
    await recordDecision(first, decision());
    await first.close();
    expect(await all(await handle())).toEqual([decision()]);
  });

  it('reads the ledger in write order, from `since` on, across more rows than one batch', async () => {
    const storage = await handle();
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (let i = 0; i < 501; i++) {
      // Times not in write order: the export follows the order of writing, not of `at`.
      await recordDecision(
        storage,
        decision({ interactionId: `i-${i}`, state: `s-${i}`, at: new Date(base + (i % 7) * 1000) }),
      );
    }
    const rows = await all(storage);
    expect(rows.map((r) => r.state)).toEqual(Array.from({ length: 501 }, (_, i) => `s-${i}`));
    const since = await all(storage, { since: new Date(base + 5000) });
    expect(since.map((r) => r.state)).toEqual(rows.filter((_, i) => i % 7 >= 5).map((r) => r.state));
  });

  it('prunes ledger rows older than the retention cut-off and reports how many went', async () => {
    const storage = await handle();
    await recordDecision(storage, decision({ interactionId: 'old', at: new Date('2020-01-01T00:00:00Z') }));
    await recordDecision(storage, decision({ interactionId: 'new', at: new Date('2026-01-01T00:00:00Z') }));
    expect(await storage.ledger.prune(new Date('2025-01-01T00:00:00Z'))).toBe(1);
    expect((await all(storage)).map((r) => r.interactionId)).toEqual(['new']);
  });

  it('publishes a terms version once and reports the hash when the text behind it changed', async () => {
    const [a, b] = [await handle(), await handle()];
    const terms = { step: 'terms', version: '2026-11', locale: 'en', sha256: 'b'.repeat(64) };
    expect(await a.terms.publish(terms)).toEqual({ ok: true });
    expect(await b.terms.publish(terms)).toEqual({ ok: true });
    expect(await b.terms.publish({ ...terms, sha256: 'c'.repeat(64) })).toEqual({
      ok: false,
      publishedSha256: 'b'.repeat(64),
    });
    expect(await b.terms.publish({ ...terms, locale: 'mi', sha256: 'c'.repeat(64) })).toEqual({ ok: true });
  });

  it('reads back the decision an interaction has for a step, from another handle, and null for none', async () => {
    const [a, b] = [await handle(), await handle()];
    expect(await b.ledger.decisionFor('i-1', 'terms')).toBeNull();
    await recordDecision(a, decision({ decision: 'already_accepted' }));
    await recordDecision(a, decision({ step: 'profile', decision: 'declined' }));
    // A refused second decision changes nothing: the first one is what is read back.
    expect(await recordDecision(a, decision({ step: 'profile', decision: 'accepted' }))).toBe(false);
    expect(await b.ledger.decisionFor('i-1', 'terms')).toBe('already_accepted');
    expect(await b.ledger.decisionFor('i-1', 'profile')).toBe('declined');
    expect(await b.ledger.decisionFor('i-2', 'terms')).toBeNull();
    expect(await b.ledger.decisionFor('i-1', 'address')).toBeNull();
  });

  it('finds an earlier acceptance by subject, step and version, and only an acceptance', async () => {
    const storage = await handle();
    await recordDecision(storage, decision({ interactionId: 'x', subject: 'ann', decision: 'declined' }));
    expect(await storage.ledger.hasAccepted('ann', 'terms', '2026-11')).toBe(false);
    await recordDecision(storage, decision({ interactionId: 'y', subject: 'ann' }));
    expect(await storage.ledger.hasAccepted('ann', 'terms', '2026-11')).toBe(true);
    expect(await storage.ledger.hasAccepted('ann', 'terms', '2027-01')).toBe(false);
    expect(await storage.ledger.hasAccepted('bob', 'terms', '2026-11')).toBe(false);
  });

  it('keeps sessions that every handle can read and destroy, and never returns an expired one', async () => {
    const [a, b] = [await handle(), await handle()];
    const data = { cookie: { originalMaxAge: 60_000, expires: soon() }, interactions: {} } as unknown as SessionData;
    await sessionCall((done) => a.sessions.set('sid-1', data, done));
    expect(await sessionCall((done) => b.sessions.get('sid-1', done))).toMatchObject({ interactions: {} });
    // No touch: the stored expiry moves only with a save, as the cookie's does.
    expect(typeof b.sessions.touch).toBe('undefined');
    await sessionCall((done) => b.sessions.destroy('sid-1', done));
    expect(await sessionCall((done) => a.sessions.get('sid-1', done))).toBeFalsy();

    const stale = { cookie: { originalMaxAge: 1, expires: new Date(Date.now() - 1000) } } as unknown as SessionData;
    await sessionCall((done) => a.sessions.set('sid-2', stale, done));
    expect(await sessionCall((done) => b.sessions.get('sid-2', done))).toBeFalsy();
    await a.pruneExpired(new Date());
    expect(await sessionCall((done) => b.sessions.get('sid-2', done))).toBeFalsy();
  });

  it('counts arrivals for every replica on the shared engines, and leaves them to the process on SQLite', async () => {
    const [a, b] = [await handle(), await handle()];
    if (TEST_ENGINE === 'sqlite') {
      expect(typeof a.arrivalCounts).toBe('undefined');
      return;
    }
    const counts = async (storage: Storage): Promise<RateLimitStore> => {
      const store = storage.arrivalCounts!();
      await store.init?.({ windowMs: 60_000 } as RateLimitOptions);
      return store;
    };
    const [x, y] = [await counts(a), await counts(b)];
    expect(x).not.toBe(a.arrivalCounts!());
    expect(x.localKeys).toBeFalsy();

    const hits: number[] = [];
    for (let i = 0; i < 4; i++) hits.push((await (i % 2 === 1 ? y : x).increment('203.0.113.1')).totalHits);
    expect(hits).toEqual([1, 2, 3, 4]);
    const { resetTime } = await y.increment('203.0.113.1');
    expect(resetTime!.getTime() - Date.now()).toBeGreaterThan(50_000);
    expect(resetTime!.getTime() - Date.now()).toBeLessThanOrEqual(60_000);

    expect((await x.increment('198.51.100.1')).totalHits).toBe(1);
    await y.decrement('203.0.113.1');
    expect((await x.increment('203.0.113.1')).totalHits).toBe(5);
    await x.resetKey('203.0.113.1');
    expect((await y.increment('203.0.113.1')).totalHits).toBe(1);
    expect((await y.increment('198.51.100.1')).totalHits).toBe(2);
  });

  it('keeps step records: one of many racing adds writes, an expired record gives way, take hands a record to one', async () => {
    const [a, b] = [await handle(), await handle()];
    const now = new Date();
    const added = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 1 ? a : b).stepRecords.add('kind', 'key-1', { n: i }, soon(), now),
      ),
    );
    expect(added.filter(Boolean)).toHaveLength(1);
    const winner = added.indexOf(true);
    expect(await b.stepRecords.get('kind', 'key-1', now)).toEqual({ n: winner });
    await a.stepRecords.put('kind', 'key-2', { old: true }, new Date(now.getTime() - 1000));
    expect(await b.stepRecords.add('kind', 'key-2', { fresh: true }, soon(), now)).toBe(true);
    expect(await a.stepRecords.get('kind', 'key-2', now)).toEqual({ fresh: true });
    const taken = await Promise.all([
      a.stepRecords.take('kind', 'key-1', now),
      b.stepRecords.take('kind', 'key-1', now),
    ]);
    expect(taken.filter((t) => t !== null)).toEqual([{ n: winner }]);
    expect(await a.stepRecords.add('kind', 'key-1', { again: true }, soon(), now)).toBe(true);
  });

  it('updates a step record in one transaction: racing increments from two handles are all counted, a missing record starts from null', async () => {
    const [a, b] = [await handle(), await handle()];
    const now = new Date();
    const increment = (value: unknown) => {
      const n = typeof value === 'number' ? value + 1 : 1;
      return { value: n, expiresAt: soon(), result: n };
    };
    const seen = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 1 ? a : b).stepRecords.update('counter', 'key-1', now, increment),
      ),
    );
    expect([...seen].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await a.stepRecords.get('counter', 'key-1', now)).toBe(20);
  });

  it('answers a ping and closes twice without complaint', async () => {
    const storage = await handle();
    await expect(storage.ping()).resolves.toBeUndefined();
    await storage.close();
    await storage.close();
  });
});
