import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hookFixture } from '../support/hook-fixture.js';
import { TEST_DATABASE_URL, type EngineSandbox } from '../support/storage-engine.js';

/** Every sandbox the fixture asks for, to check by name that its schema is gone again. */
const made = vi.hoisted(() => [] as EngineSandbox[]);
vi.mock('../support/storage-engine.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../support/storage-engine.js')>();
  return {
    ...original,
    engineSandbox: async (...args: Parameters<typeof original.engineSandbox>) => {
      const sandbox = await original.engineSandbox(...args);
      made.push(sandbox);
      return sandbox;
    },
  };
});

async function schemaExists(sandbox: EngineSandbox): Promise<boolean> {
  const schema = new URL(sandbox.env.DATABASE_URL!).searchParams.get('options')!.replace('-c search_path=', '');
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

// A temporary folder of this test's own, so that the fixtures of other files running at the same
// time cannot be mistaken for leftovers (os.tmpdir() reads TMPDIR on every call).
let privateTmp: string;
const savedTmp = process.env.TMPDIR;
beforeEach(() => {
  privateTmp = mkdtempSync(path.join(tmpdir(), 'hook-cleanup-'));
  process.env.TMPDIR = privateTmp;
  made.length = 0;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
});

async function expectNothingLeft(): Promise<void> {
  expect(readdirSync(privateTmp)).toEqual([]);
  expect(made).toHaveLength(1);
  for (const sandbox of made) if (sandbox.engine !== 'sqlite') expect(await schemaExists(sandbox)).toBe(false);
}

describe('the hook fixture, failing half-way', () => {
  it('leaves no folder and no schema behind when the settings are refused', async () => {
    await expect(hookFixture({ HOOK_URL: 'not a url' })).rejects.toThrow(/HOOK_URL/);
    await expectNothingLeft();
  });

  it('leaves nothing behind when the app cannot be built on the storage it opened', async () => {
    // A steps file without steps (which loading would refuse): building the app on it fails,
    // after the storage was opened.
    await expect(hookFixture({}, { issuer: { name: 'x', supportContact: 'x' } } as never)).rejects.toThrow(TypeError);
    await expectNothingLeft();
  });

  it('cleans up after itself when closed, as every test that opens one does', async () => {
    const hook = await hookFixture();
    expect(readdirSync(privateTmp)).toHaveLength(1);
    await hook.close();
    await expectNothingLeft();
  });
});
