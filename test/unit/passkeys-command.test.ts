import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { passkeysCommand } from '../../src/cli/factors-command.js';
import type { PasskeyCredential } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { runCommand } from '../support/run-command.js';

let dataDir: string;
const passkey = (id: string, subject: string, createdAt: string): PasskeyCredential => ({
  id,
  subject,
  publicKey: new Uint8Array([1, 2, 3]),
  counter: 3,
  transports: ['internal'],
  createdAt: new Date(createdAt),
  lastUsedAt: new Date(createdAt),
});

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-passkeys-cli-'));
  const storage = openSqlite(path.join(dataDir, 'hook.db'));
  for (const p of [
    passkey('phone', 'user-1', '2026-11-01T10:00:00Z'),
    passkey('laptop', 'user-1', '2026-11-02T10:00:00Z'),
    passkey('other', 'user-2', '2026-11-03T10:00:00Z'),
  ])
    await passkeyCredentials(storage.subjectRecords).add(p);
  await storage.close();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = { DATA_DIR: dataDir }) => runCommand('passkeys', args, env);

describe('interaction-hook passkeys', () => {
  it('is registered as a command', () => {
    expect(commands.passkeys).toBe(passkeysCommand);
  });

  it('lists a subject’s passkeys oldest first, as lines or JSON, and no public key', async () => {
    const lines = await run(['list', '--subject', 'user-1']);
    expect(lines).toMatchObject({ code: 0, err: '' });
    expect(lines.out).toBe(
      'phone  created 2026-11-01T10:00:00.000Z  last used 2026-11-01T10:00:00.000Z  internal\nlaptop  created 2026-11-02T10:00:00.000Z  last used 2026-11-02T10:00:00.000Z  internal\n',
    );
    const json = await run(['list', '--subject', 'user-1', '--json']);
    expect(JSON.parse(json.out)).toEqual([
      {
        id: 'phone',
        credentialSha256: createHash('sha256').update('phone').digest('hex'),
        createdAt: '2026-11-01T10:00:00.000Z',
        lastUsedAt: '2026-11-01T10:00:00.000Z',
        transports: ['internal'],
      },
      {
        id: 'laptop',
        credentialSha256: createHash('sha256').update('laptop').digest('hex'),
        createdAt: '2026-11-02T10:00:00.000Z',
        lastUsedAt: '2026-11-02T10:00:00.000Z',
        transports: ['internal'],
      },
    ]);
    expect(await run(['list', '--subject', 'nobody'])).toMatchObject({
      code: 0,
      out: 'The subject "nobody" has no passkeys.\n',
    });
  });

  it('removes one passkey by id, then the rest, leaving other subjects’ passkeys', async () => {
    expect(await run(['remove', '--subject', 'user-1', '--id', 'phone'])).toMatchObject({
      code: 0,
      out: 'Removed 1 passkey of "user-1".\n',
    });
    expect((await run(['list', '--subject', 'user-1'])).out).toMatch(/^laptop /);
    expect(await run(['remove', '--subject', 'user-1'])).toMatchObject({
      code: 0,
      out: 'Removed 1 passkey of "user-1".\n',
    });
    expect((await run(['list', '--subject', 'user-2'])).out).toMatch(/^other /);
  });

  it('says when there was nothing to remove, with exit code 1', async () => {
    expect(await run(['remove', '--subject', 'user-1', '--id', 'other'])).toMatchObject({
      code: 1,
      out: '',
      err: 'The subject "user-1" has no passkey "other": nothing removed.\n',
    });
    expect(await run(['remove', '--subject', 'nobody'])).toMatchObject({
      code: 1,
      err: 'The subject "nobody" has no passkeys: nothing removed.\n',
    });
    expect((await run(['list', '--subject', 'user-2'])).out).toMatch(/^other /);
  });

  it('refuses wrong usage with exit code 2 and changes nothing', async () => {
    for (const args of [
      [],
      ['forget', '--subject', 'user-1'],
      ['remove'],
      ['remove', '--subject', ''],
      ['remove', '--subject', 'user-1', '--id', ''],
      ['list', '--subject', 'user-1', '--id', 'phone'],
      ['remove', 'user-1'],
    ]) {
      const { code, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toMatch(/passkeys/);
    }
    expect((await run(['list', '--subject', 'user-1'])).out.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('names the directory when DATA_DIR holds no hook database, creating none', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'hook-passkeys-none-'));
    try {
      const { code, err } = await run(['remove', '--subject', 'user-1'], { DATA_DIR: elsewhere });
      expect(code).toBe(1);
      expect(err).toContain(`There is no hook database at ${path.join(elsewhere, 'hook.db')}`);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
