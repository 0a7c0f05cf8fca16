import pg from 'pg';
import { chainTheLedger } from './chain-migration.js';

/**
 * Versioned schema: entry N brings the database from version N to N+1, as SQL or, where rows must
 * be computed, as code. Never edit a published entry. The tables mirror the SQLite ones; times are
 * timestamptz so the ledger reads plainly in SQL.
 */
const MIGRATIONS: ReadonlyArray<string | ((client: pg.Client) => Promise<void>)> = [
  `CREATE TABLE sessions (sid text PRIMARY KEY, data text NOT NULL, expires_at timestamptz NOT NULL);
   CREATE INDEX sessions_expires_at ON sessions (expires_at);
   CREATE TABLE claims (key text PRIMARY KEY, expires_at timestamptz NOT NULL);
   CREATE INDEX claims_expires_at ON claims (expires_at);
   CREATE TABLE decisions (
     seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     interaction_id text NOT NULL,
     state text NOT NULL,
     subject text,
     step text NOT NULL,
     terms_version text,
     terms_hash text,
     locale text,
     decision text NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed', 'already_accepted')),
     at timestamptz NOT NULL,
     ip text,
     user_agent text,
     claims json,
     UNIQUE (interaction_id, step)
   );
   CREATE INDEX decisions_at ON decisions (at);
   CREATE INDEX decisions_subject ON decisions (subject, step, terms_version) WHERE subject IS NOT NULL;
   -- Append-only: rows may be added, and deleted by retention, but never changed.
   CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS
     $$ BEGIN RAISE EXCEPTION 'the decision ledger is append-only'; END $$;
   CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
     FOR EACH STATEMENT EXECUTE FUNCTION decisions_append_only();
   CREATE TABLE published_terms (
     step text NOT NULL,
     version text NOT NULL,
     locale text NOT NULL,
     sha256 text NOT NULL,
     first_seen timestamptz NOT NULL,
     PRIMARY KEY (step, version, locale)
   );`,
  // Arrivals per client address for ARRIVAL_RATE_LIMIT, counted together by every replica.
  // Unlogged: a count is not worth a disk flush per arrival, and a crash only restarts the minute.
  `CREATE UNLOGGED TABLE arrival_counts (key text PRIMARY KEY, hits integer NOT NULL, resets_at timestamptz NOT NULL);
   CREATE INDEX arrival_counts_resets_at ON arrival_counts (resets_at);`,
  // 3: each step's own evidence; the way back kept with the decision that ended a journey (a repeat
  // gets the same token); short-lived records of steps (codes, challenges, OpenID state).
  `ALTER TABLE decisions ADD COLUMN evidence json;
   -- No index on expires_at: the table holds about a minute of journeys, and the housekeeping scans it.
   CREATE TABLE completions (interaction_id text PRIMARY KEY, url text NOT NULL, expires_at timestamptz NOT NULL);
   CREATE TABLE step_records (kind text NOT NULL, key text NOT NULL, value text NOT NULL, expires_at timestamptz NOT NULL, PRIMARY KEY (kind, key));
   CREATE INDEX step_records_expires_at ON step_records (expires_at);`,
  // 4: passkeys enrolled by the passkey step, per subject; the public key base64url as text.
  `CREATE TABLE passkey_credentials (
     id text PRIMARY KEY,
     subject text NOT NULL,
     public_key text NOT NULL,
     counter bigint NOT NULL,
     transports text NOT NULL,
     created_at timestamptz NOT NULL,
     last_used_at timestamptz NOT NULL
   );
   CREATE INDEX passkey_credentials_subject ON passkey_credentials (subject, created_at);`,
  // 5: one table for what any step keeps per subject (passkeys, authenticator-app secrets), JSON
  // per kind; the passkeys move into it as kind 'passkey'.
  `CREATE TABLE subject_records (
     kind text NOT NULL,
     subject text NOT NULL,
     id text NOT NULL,
     value text NOT NULL,
     created_at timestamptz NOT NULL,
     used_at timestamptz NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE INDEX subject_records_subject ON subject_records (kind, subject, created_at);
   INSERT INTO subject_records (kind, subject, id, value, created_at, used_at)
     SELECT 'passkey', subject, id, json_build_object('publicKey', public_key, 'counter', counter, 'transports', transports::json)::text, created_at, last_used_at
     FROM passkey_credentials;
   DROP TABLE passkey_credentials;`,
  // 6: the ledger's hash chain, computed once for the rows already there (chain-migration.ts).
  chainTheLedger,
  // 7: the `skipped` decision (a step whose `when` did not hold). The CHECK is the column's own,
  // named by PostgreSQL's rule (table_column_check); no row changes.
  `ALTER TABLE decisions DROP CONSTRAINT decisions_decision_check;
   ALTER TABLE decisions ADD CONSTRAINT decisions_decision_check
     CHECK (decision IN ('accepted', 'declined', 'expired', 'failed', 'already_accepted', 'skipped'));`,
];

/** The table that records which migrations ran; named so it cannot clash in a shared schema. */
const VERSION_TABLE = 'interaction_hook_migrations';

/**
 * Brings the schema in the connection's `search_path` up to date, in one transaction, on a
 * connection of its own without the pool's timeouts (a later migration may take a while).
 * Replicas that start together queue on an advisory lock, so exactly one of them migrates.
 * `version` stops earlier (tests build older databases with it).
 */
export async function migrate(url: string, version = MIGRATIONS.length): Promise<void> {
  const client = new pg.Client({ connectionString: url, application_name: 'interaction-hook migrations' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('BEGIN');
    const schema = (await client.query<{ schema: string | null }>('SELECT current_schema() AS schema')).rows[0]?.schema;
    if (!schema) {
      throw new Error('there is no schema to create the tables in: create the one named in search_path first');
    }
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`interaction-hook migrations ${schema}`]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${VERSION_TABLE} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const current =
      (await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${VERSION_TABLE}`))
        .rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(
        `the database schema (version ${current}) is newer than this release knows (${MIGRATIONS.length}); upgrade the hook`,
      );
    }
    for (const [index, migration] of MIGRATIONS.slice(current, version).entries()) {
      if (typeof migration === 'string') await client.query(migration);
      else await migration(client);
      await client.query(`INSERT INTO ${VERSION_TABLE} (version) VALUES ($1)`, [current + index + 1]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The schema version this release migrates to. */
export const SCHEMA_VERSION = MIGRATIONS.length;
