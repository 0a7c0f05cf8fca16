import type Database from 'better-sqlite3';
import { chainTheLedger } from './chain-migration.js';

/**
 * Versioned schema: entry N brings the database from user_version N to N+1, as SQL or, where rows
 * must be computed, as code. Never edit a published entry.
 */
const MIGRATIONS: ReadonlyArray<string | ((db: Database.Database) => void)> = [
  `CREATE TABLE sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX sessions_expires_at ON sessions (expires_at);
   CREATE TABLE claims (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX claims_expires_at ON claims (expires_at);
   CREATE TABLE decisions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     interaction_id TEXT NOT NULL,
     state TEXT NOT NULL,
     subject TEXT,
     step TEXT NOT NULL,
     terms_version TEXT,
     terms_hash TEXT,
     locale TEXT,
     decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed')),
     at INTEGER NOT NULL,
     ip TEXT,
     user_agent TEXT,
     claims TEXT,
     UNIQUE (interaction_id, step)
   );
   CREATE INDEX decisions_at ON decisions (at);
   CREATE INDEX decisions_subject ON decisions (subject, step, terms_version) WHERE subject IS NOT NULL;
   CREATE TABLE published_terms (
     step TEXT NOT NULL,
     version TEXT NOT NULL,
     locale TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     PRIMARY KEY (step, version, locale)
   );`,
  // 2: the `already_accepted` decision (a CHECK constraint can only change by rebuilding the table),
  // and the ledger refuses updates: rows are appended, and only retention deletes them.
  `CREATE TABLE decisions_next (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     interaction_id TEXT NOT NULL,
     state TEXT NOT NULL,
     subject TEXT,
     step TEXT NOT NULL,
     terms_version TEXT,
     terms_hash TEXT,
     locale TEXT,
     decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed', 'already_accepted')),
     at INTEGER NOT NULL,
     ip TEXT,
     user_agent TEXT,
     claims TEXT,
     UNIQUE (interaction_id, step)
   );
   INSERT INTO decisions_next SELECT * FROM decisions;
   DROP TABLE decisions;
   ALTER TABLE decisions_next RENAME TO decisions;
   CREATE INDEX decisions_at ON decisions (at);
   CREATE INDEX decisions_subject ON decisions (subject, step, terms_version) WHERE subject IS NOT NULL;
   CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
   BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;`,
  // 3: each step's own evidence; the way back kept with the decision that ended a journey (a repeat
  // gets the same token); short-lived records of steps (codes, challenges, OpenID state).
  `ALTER TABLE decisions ADD COLUMN evidence TEXT;
   -- No index on expires_at: the table holds about a minute of journeys, and the housekeeping scans it.
   CREATE TABLE completions (interaction_id TEXT PRIMARY KEY, url TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE TABLE step_records (kind TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (kind, key));
   CREATE INDEX step_records_expires_at ON step_records (expires_at);`,
  // 4: passkeys enrolled by the passkey step, per subject; the public key base64url as text.
  `CREATE TABLE passkey_credentials (
     id TEXT PRIMARY KEY,
     subject TEXT NOT NULL,
     public_key TEXT NOT NULL,
     counter INTEGER NOT NULL,
     transports TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_used_at INTEGER NOT NULL
   );
   CREATE INDEX passkey_credentials_subject ON passkey_credentials (subject, created_at);`,
  // 5: one table for what any step keeps per subject (passkeys, authenticator-app secrets), JSON
  // per kind; the passkeys move into it as kind 'passkey'.
  `CREATE TABLE subject_records (
     kind TEXT NOT NULL,
     subject TEXT NOT NULL,
     id TEXT NOT NULL,
     value TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     used_at INTEGER NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE INDEX subject_records_subject ON subject_records (kind, subject, created_at);
   INSERT INTO subject_records (kind, subject, id, value, created_at, used_at)
     SELECT 'passkey', subject, id, json_object('publicKey', public_key, 'counter', counter, 'transports', json(transports)), created_at, last_used_at
     FROM passkey_credentials;
   DROP TABLE passkey_credentials;`,
  // 6: the ledger's hash chain, computed once for the rows already there (chain-migration.ts).
  chainTheLedger,
  // 7: the `skipped` decision (a step whose `when` did not hold). The table is rebuilt as in 2, its
  // rows, hashes and sequence kept as they are, so the chain reads on unchanged.
  `CREATE TABLE decisions_next (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     interaction_id TEXT NOT NULL,
     state TEXT NOT NULL,
     subject TEXT,
     step TEXT NOT NULL,
     terms_version TEXT,
     terms_hash TEXT,
     locale TEXT,
     decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed', 'already_accepted', 'skipped')),
     at INTEGER NOT NULL,
     ip TEXT,
     user_agent TEXT,
     claims TEXT,
     evidence TEXT,
     prev_hash TEXT,
     hash TEXT,
     UNIQUE (interaction_id, step)
   );
   INSERT INTO decisions_next SELECT * FROM decisions;
   -- Rows pruned by retention leave the sequence above the highest seq: a new row never reuses one.
   DELETE FROM sqlite_sequence WHERE name = 'decisions_next';
   INSERT INTO sqlite_sequence (name, seq) SELECT 'decisions_next', seq FROM sqlite_sequence WHERE name = 'decisions';
   DROP TABLE decisions;
   ALTER TABLE decisions_next RENAME TO decisions;
   CREATE INDEX decisions_at ON decisions (at);
   CREATE INDEX decisions_subject ON decisions (subject, step, terms_version) WHERE subject IS NOT NULL;
   CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
   BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;`,
];

/** Migrates to the newest version, or to `version` (tests build older databases with it). */
export function migrateSqlite(db: Database.Database, version = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database schema (version ${current}) is newer than this release knows (${MIGRATIONS.length}); upgrade the hook`,
    );
  }
  for (const [index, migration] of MIGRATIONS.slice(current, version).entries()) {
    db.transaction(() => {
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
      db.pragma(`user_version = ${current + index + 1}`);
    })();
  }
}
