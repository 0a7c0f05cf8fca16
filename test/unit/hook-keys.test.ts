import { createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HookKeys } from '../../src/mattr/hook-keys.js';

const a = createSecretKey(Buffer.alloc(32, 1));
const b = createSecretKey(Buffer.alloc(32, 2));
const c = createSecretKey(Buffer.alloc(32, 3));
const at = (iso: string) => new Date(iso);

describe('HookKeys', () => {
  it('keeps a previous key without an end (INTERACTION_HOOK_PREVIOUS_SECRET) until replaced', () => {
    const keys = new HookKeys(a, { key: b });
    expect(keys.verifyKeys(at('2100-01-01T00:00:00Z'))).toEqual([a, b]);
    expect(keys.current).toBe(a);
  });

  it('makes a new key current and keeps the replaced one, only it, until its grace ends', () => {
    const keys = new HookKeys(a, { key: b });
    keys.replace(c, at('2026-11-29T10:15:00Z'));
    expect(keys.current).toBe(c);
    expect(keys.generation).toBe(1);
    expect(keys.verifyKeys(at('2026-11-29T10:14:59Z'))).toEqual([c, a]);
    expect(keys.verifyKeys(at('2026-11-29T10:15:00Z'))).toEqual([c]);
    expect(keys.previousUntil).toBeUndefined();
  });

  it('hands out the same KeyObjects between changes, so the verifier and signer of each are made once', () => {
    const keys = new HookKeys(a);
    const first = keys.verifyKeys(new Date());
    expect(keys.verifyKeys(new Date())).toBe(first);
  });
});
