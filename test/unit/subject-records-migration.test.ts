import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { migrateSqlite } from '../../src/storage/sqlite/migrations.js';
import { SqliteClient } from '../../src/storage/sqlite/sqlite-client.js';
import { sqlStorage } from '../../src/storage/sql/sql-storage.js';

describe('migration 5 on SQLite', () => {
  it('moves the passkeys enrolled before it into the per-subject records, where the step finds them', async () => {
    const db = new Database(':memory:');
    // The schema as version 4 left it, with one passkey enrolled.
    migrateSqlite(db, 4);
    db.prepare('INSERT INTO passkey_credentials VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      'cred-1',
      'subject-1',
      Buffer.from([1, 2, 3]).toString('base64url'),
      7,
      '["internal","hybrid"]',
      1_000,
      2_000,
    );

    migrateSqlite(db);
    const storage = sqlStorage(new SqliteClient(db), 'sqlite');
    expect(await passkeyCredentials(storage.subjectRecords).forSubject('subject-1')).toEqual([
      {
        id: 'cred-1',
        subject: 'subject-1',
        publicKey: new Uint8Array([1, 2, 3]),
        counter: 7,
        transports: ['internal', 'hybrid'],
        createdAt: new Date(1_000),
        lastUsedAt: new Date(2_000),
      },
    ]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'passkey_credentials'").all()).toEqual([]);
    expect(await passkeyCredentials(storage.subjectRecords).recordUse('cred-1', 8, new Date(3_000))).toBe(true);
    await storage.close();
  });
});
