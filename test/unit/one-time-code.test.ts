import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  CodeRecords,
  codeHash,
  countAttempt,
  hasExpired,
  newDigitCode,
  noTriesLeft,
  resendWait,
  sameHash,
  typedDigits,
} from '../../src/interaction/steps/one-time-code.js';
import type { Storage } from '../../src/storage/ports.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';

describe('the one-time-code rules every code step keeps', () => {
  it('reads digits as phones paste and people type them, and nothing else', () => {
    expect(typedDigits('123456', 6)).toBe('123456');
    expect(typedDigits(' 123 456 ', 6)).toBe('123456');
    expect(typedDigits('123-456', 6)).toBe('123456');
    expect(typedDigits('１２３４５６', 6)).toBe('123456');
    expect(typedDigits('1234 5678', 8)).toBe('12345678');
    for (const bad of [undefined, 123456, '12345', '1234567', '12345a', '١٢٣٤٥٦', ['123456'], '1'.repeat(41)])
      expect(typedDigits(bad, 6), String(bad)).toBeNull();
  });

  it('makes codes of the digits asked for', () => {
    for (let i = 0; i < 50; i++) expect(newDigitCode(6)).toMatch(/^[0-9]{6}$/);
  });

  it('keeps a code as a keyed hash bound to what it belongs to, and compares hashes whole', () => {
    const key = randomBytes(32);
    const hash = codeHash(key, 'interaction-1', '123456');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain('123456');
    expect(sameHash(hash, codeHash(key, 'interaction-1', '123456'))).toBe(true);
    expect(sameHash(hash, codeHash(key, 'interaction-2', '123456'))).toBe(false);
    expect(sameHash(hash, codeHash(randomBytes(32), 'interaction-1', '123456'))).toBe(false);
    expect(sameHash(hash, hash.slice(0, 62))).toBe(false);
  });

  it('counts attempts up to the limit: the last one leaves no try', () => {
    expect(countAttempt(0, 3)).toEqual({ attempts: 1, left: 2 });
    expect(countAttempt(2, 3)).toEqual({ attempts: 3, left: 0 });
    expect(noTriesLeft(2, 3)).toBe(false);
    expect(noTriesLeft(3, 3)).toBe(true);
  });

  it('says when a code has run out and how long until the next may go', () => {
    const now = new Date(100_000);
    expect(hasExpired(100_000, now)).toBe(true);
    expect(hasExpired(100_001, now)).toBe(false);
    expect(resendWait(0, 30, now)).toBe(0);
    expect(resendWait(90_000, 30, now)).toBe(20_000);
  });
});

describe('a code state in the step records', () => {
  const state = z.object({ attempts: z.number().int() });
  let dir: string;
  let storage: Storage;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hook-code-'));
    storage = openSqlite(path.join(dir, 'hook.db'));
  });
  afterEach(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts empty, keeps each change, and reads a stored value of another shape as none', async () => {
    const codes = new CodeRecords(storage.stepRecords, 'test-code', state, { attempts: 0 });
    const now = new Date();
    expect(await codes.peek('a', now)).toBeNull();
    expect(
      await codes.change('a', now, (held) => ({ state: { attempts: held.attempts + 1 }, result: held.attempts })),
    ).toBe(0);
    expect(await codes.peek('a', now)).toEqual({ attempts: 1 });
    await storage.stepRecords.put('test-code', 'a', { attempts: 'many' }, new Date(now.getTime() + 60_000));
    expect(await codes.peek('a', now)).toBeNull();
    expect(await codes.change('a', now, (held) => ({ state: held, result: held }))).toEqual({ attempts: 0 });
  });

  it('counts parallel changes one at a time', async () => {
    const codes = new CodeRecords(storage.stepRecords, 'test-code', state, { attempts: 0 });
    const now = new Date();
    const seen = await Promise.all(
      Array.from({ length: 10 }, () =>
        codes.change('b', now, (held) => ({ state: { attempts: held.attempts + 1 }, result: held.attempts })),
      ),
    );
    expect([...seen].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
