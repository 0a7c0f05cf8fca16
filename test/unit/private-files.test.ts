import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import type { Storage } from '../../src/storage/ports.js';

let root: string;
const modeOf = (file: string) => statSync(file).mode & 0o777;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hook-private-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('the embedded database keeps its files to the hook’s user', () => {
  it('creates DATA_DIR 0700 and the database with its -wal and -shm 0600, even under a lax umask', async () => {
    const dataDir = path.join(root, 'data');
    const file = path.join(dataDir, 'hook.db');
    const umask = process.umask(0o000);
    let storage: Storage;
    try {
      storage = openSqlite(file);
      await storage.tokens.claimOnce('token:x', new Date(Date.now() + 60_000));
    } finally {
      process.umask(umask);
    }
    try {
      expect(modeOf(dataDir)).toBe(0o700);
      for (const suffix of ['', '-wal', '-shm']) expect(modeOf(`${file}${suffix}`)).toBe(0o600);
    } finally {
      await storage.close();
    }
  });

  it('refuses a DATA_DIR others can read, naming the path and the fix', () => {
    const dataDir = path.join(root, 'shared');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    expect(() => openSqlite(path.join(dataDir, 'hook.db'))).toThrow(
      `DATA_DIR ${dataDir} can be read or written by other users (mode 755); it holds claims and the consent ledger. Fix: chmod 700 ${dataDir}`,
    );
  });

  it.each(['', '-wal', '-shm'])(
    'refuses a database file%s others can read, and leaves it as it was',
    async (suffix) => {
      const file = path.join(root, 'hook.db');
      await openSqlite(file).close();
      writeFileSync(`${file}${suffix}`, '', { flag: 'a' });
      chmodSync(`${file}${suffix}`, 0o644);
      expect(() => openSqlite(file)).toThrow(
        `the database file ${file}${suffix} can be read or written by other users (mode 644); it holds claims and the consent ledger. Fix: chmod 600 ${file}${suffix}`,
      );
      expect(modeOf(`${file}${suffix}`)).toBe(0o644);
    },
  );

  it('quotes a path with spaces in the fix, so it can be pasted', () => {
    const dataDir = path.join(root, 'my data');
    mkdirSync(dataDir, { mode: 0o750 });
    chmodSync(dataDir, 0o750);
    expect(() => openSqlite(path.join(dataDir, 'hook.db'))).toThrow(`Fix: chmod 700 '${dataDir}'`);
  });
});
