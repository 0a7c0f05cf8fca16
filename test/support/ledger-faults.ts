import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Settings } from '../../src/config/settings.js';

/**
 * Makes every insert into `table` fail in the real database of this run's engine, from a second
 * connection (as a full disk or a broken replica would), until the returned function lifts it.
 */
export async function refuseWrites(
  settings: Pick<Settings, 'dataDir' | 'databaseUrl'>,
  table: 'decisions' | 'claims' = 'decisions',
): Promise<() => Promise<void>> {
  const trigger = `test_refuse_${table}`;
  if (settings.databaseUrl === undefined) {
    const db = new Database(path.join(settings.dataDir, 'hook.db'));
    db.exec(
      `CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
    );
    return async () => {
      db.exec(`DROP TRIGGER ${trigger}`);
      db.close();
    };
  }
  // The URL carries the test's own search_path, so these land in its schema.
  const client = new pg.Client({ connectionString: settings.databaseUrl });
  await client.connect();
  await client.query(
    `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$`,
  );
  await client.query(`CREATE TRIGGER ${trigger} BEFORE INSERT ON ${table} FOR EACH ROW EXECUTE FUNCTION ${trigger}()`);
  return async () => {
    await client.query(`DROP TRIGGER ${trigger} ON ${table}`);
    await client.query(`DROP FUNCTION ${trigger}()`);
    await client.end();
  };
}
