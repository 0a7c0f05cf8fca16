import path from 'node:path';
import Database from 'better-sqlite3';
import type { Storage } from '../ports.js';
import { sqlStorage } from '../sql/sql-storage.js';
import { migrateSqlite } from './migrations.js';
import { keepDatabasePrivate, preparePrivateDatabase } from './private-files.js';
import { SqliteClient } from './sqlite-client.js';

/** The embedded default: one SQLite file (WAL) holds sessions, claims, the ledger and step records. */
export function openSqlite(file: string): Storage {
  if (file !== ':memory:') preparePrivateDatabase(path.dirname(file), file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  if (file !== ':memory:') keepDatabasePrivate(file);
  // FULL: a decision is on disk before the user is redirected, even across a power cut.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  // A deleted row's bytes are zeroed, not left in a free page: a way back with its signed token, a
  // session, a step's record are gone from the file once deleted (after a checkpoint, from the WAL).
  db.pragma('secure_delete = ON');
  // Sessions are looked up by id, so lookups land on scattered pages: the default 2 MB page
  // cache stopped holding them after a few thousand sessions, and every read went to the OS.
  db.pragma('cache_size = -32768');
  migrateSqlite(db);
  return sqlStorage(new SqliteClient(db), 'sqlite');
}
