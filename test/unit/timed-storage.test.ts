import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SessionData } from 'express-session';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { timedStorage } from '../../src/ops/timed-storage.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import type { Storage } from '../../src/storage/ports.js';
import { viaCallback } from '../support/callback.js';

let dir: string;
let inner: Storage;
let seen: string[];
let storage: Storage;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'timed-storage-'));
  inner = openSqlite(path.join(dir, 'hook.db'));
  seen = [];
  storage = timedStorage(inner, (operation, seconds) => {
    expect(seconds).toBeGreaterThanOrEqual(0);
    seen.push(operation);
  });
});
afterEach(async () => {
  await inner.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('timedStorage', () => {
  it('reports each awaited operation by name and passes results through', async () => {
    expect(storage.engine).toBe('sqlite');
    expect(await storage.tokens.claimOnce('k', new Date(Date.now() + 1000))).toBe(true);
    expect(await storage.tokens.claimOnce('k', new Date(Date.now() + 1000))).toBe(false);
    await storage.ping();
    expect(seen).toEqual(['tokens.claimOnce', 'tokens.claimOnce', 'ping']);
  });

  it('passes errors through untouched, and still reports how long they took', async () => {
    await inner.close();
    await expect(storage.ping()).rejects.toThrow(/not open/);
    expect(seen).toEqual(['ping']);
  });

  it('times the session store’s callbacks, leaving its other members alone', async () => {
    const store = storage.sessions;
    const data = { cookie: { originalMaxAge: 1000 } } as unknown as SessionData;
    await viaCallback((done) => store.set('sid', data, done));
    const got = await viaCallback((done) => store.get('sid', done));
    expect(got).toMatchObject({ cookie: { originalMaxAge: 1000 } });
    expect(seen).toEqual(['session.set', 'session.get']);
    expect(typeof store.createSession).toBe('function');
    expect(store.listenerCount('disconnect')).toBe(0);
  });

  it('works for an engine that keeps private fields', async () => {
    class Private {
      readonly engine = 'private';
      #rows = 1;
      get sessions() {
        return inner.sessions;
      }
      async ping(): Promise<void> {
        if (this.#rows !== 1) throw new Error('lost its fields');
      }
    }
    const timed = timedStorage(new Private() as unknown as Storage, (operation) => seen.push(operation));
    await timed.ping();
    expect(seen).toEqual(['ping']);
  });
});
