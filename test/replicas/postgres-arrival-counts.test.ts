import type { Options, Store } from 'express-rate-limit';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/storage/postgres/open-postgres.js';
import type { Storage } from '../../src/storage/ports.js';
import { engineSandbox, type EngineSandbox } from '../support/storage-engine.js';

/**
 * The arrival counts PostgreSQL keeps for ARRIVAL_RATE_LIMIT when there is no Redis: one row per
 * client key, a fixed window from its first arrival, pruned with the claims once it has ended.
 * Time is moved by ending a row's window in the table, as the minute passing would.
 */
let sandbox: EngineSandbox;
let sql: pg.Client;
let storage: Storage;
let store: Store;

beforeEach(async () => {
  sandbox = await engineSandbox('postgres');
  storage = await openPostgres({ url: sandbox.env.DATABASE_URL!, poolSize: 4 });
  store = await counts();
  sql = new pg.Client({ connectionString: sandbox.env.DATABASE_URL });
  await sql.connect();
});
afterEach(async () => {
  await sql?.end();
  await storage?.close();
  await sandbox?.cleanup();
});

async function counts(windowMs = 60_000): Promise<Store> {
  const made = storage.arrivalCounts!();
  await made.init?.({ windowMs } as Options);
  return made;
}

async function row(key: string): Promise<{ hits: number; resets_at: Date } | undefined> {
  return (
    await sql.query<{ hits: number; resets_at: Date }>('SELECT hits, resets_at FROM arrival_counts WHERE key = $1', [
      key,
    ])
  ).rows[0];
}

/** As if the key's window had ended `ago` milliseconds ago. */
async function endWindow(key: string, ago = 1): Promise<void> {
  await sql.query(
    "UPDATE arrival_counts SET resets_at = now() - $2::integer * interval '1 millisecond' WHERE key = $1",
    [key, ago],
  );
}

describe('arrival counts in PostgreSQL', () => {
  it('keeps one row per key, unlogged, that counts up within its window and ends with it', async () => {
    const first = await store.increment('203.0.113.9');
    expect(first.totalHits).toBe(1);
    expect((await store.increment('203.0.113.9')).totalHits).toBe(2);
    const kept = await row('203.0.113.9');
    expect(kept).toEqual({ hits: 2, resets_at: first.resetTime });
    expect(first.resetTime!.getTime() - Date.now()).toBeGreaterThan(55_000);

    await endWindow('203.0.113.9');
    const next = await store.increment('203.0.113.9');
    expect(next.totalHits).toBe(1);
    expect(next.resetTime!.getTime()).toBeGreaterThan(first.resetTime!.getTime());

    const { rows } = await sql.query<{ relpersistence: string }>(
      "SELECT relpersistence FROM pg_class WHERE oid = 'arrival_counts'::regclass",
    );
    expect(rows[0]!.relpersistence).toBe('u');
  });

  it('takes its window from the limiter', async () => {
    const short = await counts(5_000);
    const { resetTime } = await short.increment('203.0.113.10');
    expect(resetTime!.getTime() - Date.now()).toBeLessThanOrEqual(5_000);
    expect(resetTime!.getTime() - Date.now()).toBeGreaterThan(3_000);
  });

  it('counts every one of many simultaneous arrivals once, across two replicas', async () => {
    const other = await openPostgres({ url: sandbox.env.DATABASE_URL!, poolSize: 4 });
    try {
      const stores = [store, other.arrivalCounts!()];
      await stores[1]!.init?.({ windowMs: 60_000 } as Options);
      const hits = await Promise.all(
        Array.from({ length: 40 }, (_, i) => Promise.resolve(stores[i % 2]!.increment('203.0.113.11'))),
      );
      expect(hits.map((h) => h.totalHits).sort((p, q) => p - q)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await other.close();
    }
  });

  it('gives back an arrival with decrement, never below zero, and forgets a key with resetKey', async () => {
    await store.increment('203.0.113.12');
    await store.increment('203.0.113.12');
    await store.decrement('203.0.113.12');
    expect((await row('203.0.113.12'))?.hits).toBe(1);
    await store.decrement('203.0.113.12');
    await store.decrement('203.0.113.12');
    expect((await row('203.0.113.12'))?.hits).toBe(0);
    await store.decrement('203.0.113.13');
    expect(await row('203.0.113.13')).toBeUndefined();

    await store.increment('203.0.113.14');
    await store.resetKey('203.0.113.14');
    expect(await row('203.0.113.14')).toBeUndefined();
    expect((await store.increment('203.0.113.14')).totalHits).toBe(1);
  });

  it('prunes the rows whose window has ended with the rest of the housekeeping, and only those', async () => {
    await store.increment('203.0.113.20');
    await store.increment('203.0.113.21');
    await endWindow('203.0.113.20', 1_000);
    expect(await storage.pruneExpired(new Date())).toBe(1);
    expect(await row('203.0.113.20')).toBeUndefined();
    expect((await row('203.0.113.21'))?.hits).toBe(1);
    expect(await storage.pruneExpired(new Date(Date.now() + 61_000))).toBe(1);
    expect(await row('203.0.113.21')).toBeUndefined();
  });
});
