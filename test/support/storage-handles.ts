import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { loadSettings, type StorageSettings } from '../../src/config/settings.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/ports.js';
import { engineSandbox, type EngineSandbox } from './storage-engine.js';

/**
 * Fresh storage of this run's engine for each test of a contract suite: `handle()` opens another
 * handle on it (two handles stand for two replicas); every handle, the sandbox and the data
 * directory go after each test. `env()` is their environment, for a command on the same storage.
 */
export function storageHandles(name: string): { handle(): Promise<Storage>; env(): Record<string, string> } {
  let sandbox: EngineSandbox;
  let dataDir: string;
  let settings: StorageSettings;
  let env: Record<string, string>;
  const open: Storage[] = [];

  beforeEach(async () => {
    sandbox = await engineSandbox();
    dataDir = mkdtempSync(path.join(tmpdir(), `hook-${name}-`));
    env = {
      HOOK_URL: 'https://hook.example.com/callback',
      MATTR_TENANT_URL: 'https://tenant.example.com',
      INTERACTION_HOOK_SECRET: Buffer.alloc(32, 7).toString('base64'),
      DATA_DIR: dataDir,
      ...sandbox.env,
    };
    const loaded = loadSettings(env);
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    settings = loaded.settings;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await sandbox.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  return {
    async handle() {
      const storage = await openStorage(settings);
      open.push(storage);
      return storage;
    },
    /** The environment of these handles, for a CLI command run on the same storage. */
    env: () => env,
  };
}
