import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import { factorsCommand } from '../../src/cli/factors-command.js';
import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { AppRecords } from '../../src/interaction/steps/authenticator-app/app-records.js';
import { openSqlite } from '../../src/storage/sqlite/open-sqlite.js';
import { runCommand } from '../support/run-command.js';

let dataDir: string;
const CREATED = new Date('2026-11-04T10:00:00Z');

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-factors-cli-'));
  const storage = openSqlite(path.join(dataDir, 'hook.db'));
  const at = new Date('2026-11-01T10:00:00Z');
  await passkeyCredentials(storage.subjectRecords).add({
    id: 'phone',
    subject: 'user-1',
    publicKey: new Uint8Array([1, 2, 3]),
    counter: 3,
    transports: ['internal'],
    createdAt: at,
    lastUsedAt: at,
  });
  const apps = new AppRecords(storage.subjectRecords, storage.stepRecords);
  for (const subject of ['user-1', 'user-2']) {
    await apps.addApp(
      subject,
      {
        id: `app-of-${subject}`,
        secret: 'v1.00000000.sealed-not-shown',
        digits: 6,
        period: 30,
        recoveryCodes: ['a'.repeat(64)],
        createdAt: CREATED.getTime(),
      },
      { step: 1, holder: 'enrolment' },
      CREATED,
    );
  }
  await storage.close();
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const run = (args: string[]) => runCommand('factors', args, { DATA_DIR: dataDir });

describe('interaction-hook factors', () => {
  it('is registered beside its older name', () => {
    expect(commands.factors).toBe(factorsCommand);
    expect(commands.passkeys).toBeDefined();
  });

  it('lists a subject’s passkeys and app with their type, or one type; never the sealed secret', async () => {
    const all = await run(['list', '--subject', 'user-1']);
    expect(all).toMatchObject({ code: 0, err: '' });
    expect(all.out).toBe(
      'passkey  phone  created 2026-11-01T10:00:00.000Z  last used 2026-11-01T10:00:00.000Z  internal\nauthenticator-app  app-of-user-1  created 2026-11-04T10:00:00.000Z  6 digits every 30 s\n',
    );
    expect((await run(['list', '--subject', 'user-1', '--type', 'authenticator-app'])).out).toBe(
      'app-of-user-1  created 2026-11-04T10:00:00.000Z  6 digits every 30 s\n',
    );
    const json = JSON.parse((await run(['list', '--subject', 'user-1', '--json'])).out) as Array<
      Record<string, unknown>
    >;
    expect(json.map((f) => [f.type, f.id])).toEqual([
      ['passkey', 'phone'],
      ['authenticator-app', 'app-of-user-1'],
    ]);
    expect(JSON.stringify(json)).not.toContain('sealed');
    expect(JSON.stringify(json)).not.toContain('a'.repeat(64));
    expect((await run(['list', '--subject', 'nobody'])).out).toBe(
      'The subject "nobody" has no passkeys and no authenticator app.\n',
    );
  });

  it('removes the app by type or id, leaving the passkeys and other subjects’ apps', async () => {
    expect(
      await run(['remove', '--subject', 'user-1', '--type', 'authenticator-app', '--id', 'app-of-user-2']),
    ).toMatchObject({
      code: 1,
      err: 'The subject "user-1" has no authenticator-app "app-of-user-2": nothing removed.\n',
    });
    expect(await run(['remove', '--subject', 'user-1', '--type', 'authenticator-app'])).toMatchObject({
      code: 0,
      out: 'Removed the authenticator app of "user-1".\n',
    });
    expect((await run(['list', '--subject', 'user-1'])).out).toMatch(/^passkey {2}phone /);
    expect((await run(['list', '--subject', 'user-2'])).out).toMatch(/^authenticator-app {2}app-of-user-2 /);
    expect(await run(['remove', '--subject', 'user-2', '--id', 'app-of-user-2'])).toMatchObject({
      code: 0,
      out: 'Removed the authenticator app of "user-2".\n',
    });
  });

  it('removes every factor of a subject without --type', async () => {
    expect(await run(['remove', '--subject', 'user-1'])).toMatchObject({
      code: 0,
      out: 'Removed 1 passkey and the authenticator app of "user-1".\n',
    });
    expect(await run(['remove', '--subject', 'user-1'])).toMatchObject({
      code: 1,
      err: 'The subject "user-1" has no passkeys and no authenticator app: nothing removed.\n',
    });
  });

  it('refuses wrong usage with exit code 2 and changes nothing', async () => {
    for (const args of [
      [],
      ['list'],
      ['list', '--subject', 'user-1', '--type', 'password'],
      ['remove', '--subject', 'user-1', '--id', ''],
      ['list', '--subject', 'user-1', '--id', 'phone'],
    ]) {
      const { code, err } = await run(args);
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toMatch(/factors/);
    }
    expect((await run(['list', '--subject', 'user-1'])).out.split('\n').filter(Boolean)).toHaveLength(2);
  });
});
