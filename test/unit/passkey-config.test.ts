import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../src/config/hook-config.js';

describe('the passkey step in the steps file', () => {
  it('loads the shipped example, and names a bad option in the start-up message', () => {
    const example = loadHookConfig(path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-passkey.config.json'));
    expect(example.ok && example.config.steps.map((step) => step.config)).toEqual([
      expect.objectContaining({ type: 'terms' }),
      { type: 'passkey', id: 'passkey', userVerification: 'required', enrol: 'when-missing' },
    ]);
    const dir = mkdtempSync(path.join(tmpdir(), 'passkey-config-'));
    const file = path.join(dir, 'steps.json');
    writeFileSync(file, JSON.stringify({ steps: [{ type: 'passkey', enrol: 'always', userVerification: 'sometimes' }] }));
    const bad = loadHookConfig(file);
    rmSync(dir, { recursive: true });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/steps\.0\.userVerification[^]*steps\.0\.enrol|steps\.0\.enrol[^]*steps\.0\.userVerification/);
  });
});
