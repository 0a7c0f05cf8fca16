import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/storage/postgres/open-postgres.js';
import { migrate, SCHEMA_VERSION } from '../../src/storage/postgres/migrations.js';
import { passkeyCredentials } from '../../src/interaction/steps/passkey/passkey-credentials.js';
import { engineSandbox, type EngineSandbox } from '../support/storage-engine.js';
import { recordDecision } from '../support/record-decision.js';

/** What PostgreSQL itself guarantees for the hook: migrations, an append-only ledger, durable commits. */
let sandbox: EngineSandbox;
let url: string;
let sql: pg.Client;

beforeEach(async () => {
  sandbox = await engineSandbox('postgres');
  url = sandbox.env.DATABASE_URL!;
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});
afterEach(async () => {
  await sql.end();
  await sandbox.cleanup();
});

const open = (databaseUrl = url) => openPostgres({ url: databaseUrl, poolSize: 2 });

describe('the PostgreSQL schema', () => {
  it('is migrated exactly once when several replicas start at the same moment', async () => {
    const storages = await Promise.all(Array.from({ length: 5 }, () => open()));
    await Promise.all(storages.map((s) => s.close()));
    const { rows } = await sql.query<{ version: number }>(
      'SELECT version FROM interaction_hook_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    const tables = await sql.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1',
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'arrival_counts',
      'claims',
      'completions',
      'decisions',
      'interaction_hook_migrations',
      'ledger_chain',
      'published_terms',
      'sessions',
      'step_records',
      'subject_records',
    ]);
  });

  it('moves the passkeys enrolled before migration 5 into the per-subject records', async () => {
    // The schema as version 4 left it, with one passkey enrolled.
    await migrate(url, 4);
    await sql.query('INSERT INTO passkey_credentials VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      'cred-1',
      'subject-1',
      'AQID',
      4_000_000_000,
      '["usb"]',
      new Date(1_000),
      new Date(2_000),
    ]);
    const storage = await open();
    expect(await passkeyCredentials(storage.subjectRecords).forSubject('subject-1')).toEqual([
      {
        id: 'cred-1',
        subject: 'subject-1',
        publicKey: new Uint8Array([1, 2, 3]),
        counter: 4_000_000_000,
        transports: ['usb'],
        createdAt: new Date(1_000),
        lastUsedAt: new Date(2_000),
      },
    ]);
    await storage.close();
  });

  it('takes the skipped decision from migration 7 on, keeping the rows recorded before it', async () => {
    const insert = (id: string, decision: string) =>
      sql.query(
        "INSERT INTO decisions (interaction_id, state, step, decision, at) VALUES ($1, 's', 'profile', $2, now())",
        [id, decision],
      );
    await migrate(url, 6);
    await insert('before', 'accepted');
    await expect(insert('refused', 'skipped')).rejects.toThrow(/decisions_decision_check/);
    await expect(insert('refused', 'maybe')).rejects.toThrow(/decisions_decision_check/);
    await (await open()).close();
    await insert('after', 'skipped');
    await expect(insert('refused', 'maybe')).rejects.toThrow(/decisions_decision_check/);
    const { rows } = await sql.query<{ interaction_id: string; decision: string }>(
      'SELECT interaction_id, decision FROM decisions ORDER BY seq',
    );
    expect(rows).toEqual([
      { interaction_id: 'before', decision: 'accepted' },
      { interaction_id: 'after', decision: 'skipped' },
    ]);
  });

  it('keeps the ledger append-only: a row can be pruned but never changed', async () => {
    const storage = await open();
    await recordDecision(storage, {
      interactionId: 'i',
      state: 's',
      subject: null,
      step: 'terms',
      termsVersion: '1',
      termsHash: null,
      locale: 'en',
      decision: 'declined',
      at: new Date('2020-01-01T00:00:00Z'),
      ip: null,
      userAgent: null,
      claims: null,
      evidence: null,
    });
    await expect(sql.query("UPDATE decisions SET decision = 'accepted'")).rejects.toThrow(
      'the decision ledger is append-only',
    );
    expect(await storage.ledger.prune(new Date())).toBe(1);
    await storage.close();
  });

  it('refuses to start on a schema newer than this release knows', async () => {
    await (await open()).close();
    await sql.query('INSERT INTO interaction_hook_migrations (version) VALUES ($1)', [SCHEMA_VERSION + 1]);
    await expect(open()).rejects.toThrow(
      `PostgreSQL schema migration failed: the database schema (version ${SCHEMA_VERSION + 1}) is newer than this release knows (${SCHEMA_VERSION}); upgrade the hook`,
    );
  });

  it('refuses to start where a commit would be acknowledged before it is durable', async () => {
    const relaxed = new URL(url);
    relaxed.searchParams.set('options', `${relaxed.searchParams.get('options')} -c synchronous_commit=off`);
    await expect(open(relaxed.toString())).rejects.toThrow(/synchronous_commit = off/);
  });

  it('says when the schema named in search_path does not exist', async () => {
    const missing = new URL(url);
    missing.searchParams.set('options', '-c search_path=hook_no_such_schema');
    await expect(open(missing.toString())).rejects.toThrow(
      'PostgreSQL schema migration failed: there is no schema to create the tables in: create the one named in search_path first',
    );
  });
});
