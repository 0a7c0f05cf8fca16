import pg from 'pg';
import { CommitRefusedError } from '../../interaction/model.js';
import { valuesOf, type SqlClient, type SqlStatement, type StatementResult } from '../sql/sql-client.js';
import { StorageUnavailableError } from '../storage-unavailable.js';

const ENGINE = 'PostgreSQL';

/**
 * SQLSTATE classes that mean "the server cannot serve this now" rather than "this statement is
 * wrong": connection exception, insufficient resources, operator intervention (shutdown,
 * statement timeout), system error, transaction rollback (serialisation, deadlock).
 */
const UNAVAILABLE_CLASSES = new Set(['08', '53', '57', '58', '40']);

/** PostgreSQL behind the SQL ports: `?` becomes `$1…`, several statements share a transaction. */
export class PostgresClient implements SqlClient {
  readonly engine = 'postgres';
  private readonly numbered = new Map<string, string>();
  private closed = false;

  constructor(readonly pool: pg.Pool) {}

  time(at: Date): Date {
    return at;
  }

  async commit(statements: readonly SqlStatement[]): Promise<StatementResult[]> {
    const [only] = statements;
    // One statement commits by itself, unless a refusal must undo it (its changes may not all be refused).
    if (statements.length === 1 && only && !only.refuseUnlessChanged)
      return [await this.runChecked(this.pool, only, [])];
    return this.transaction(async (client) => {
      const results: StatementResult[] = [];
      for (const statement of statements) results.push(await this.runChecked(client, statement, results));
      return results;
    });
  }

  update<T>(
    lock: string,
    read: SqlStatement,
    change: (rows: Array<Record<string, unknown>>) => { statements: readonly SqlStatement[]; result: T },
  ): Promise<T> {
    return this.transaction(async (client) => {
      // A transaction-scoped lock on the key: it holds also while no row exists yet, which FOR UPDATE cannot.
      await this.run(client, 'SELECT pg_advisory_xact_lock(hashtext(?))', [lock]);
      const { statements, result } = change((await this.run(client, read.text, valuesOf(read, []))).rows);
      const results: StatementResult[] = [];
      for (const statement of statements) results.push(await this.runChecked(client, statement, results));
      return result;
    });
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect().catch((error: unknown) => {
      throw asUnavailable(error);
    });
    let healthy = true;
    try {
      await this.run(client, 'BEGIN', []);
      const result = await work(client);
      await this.run(client, 'COMMIT', []);
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        healthy = false;
      });
      throw error;
    } finally {
      client.release(!healthy);
    }
  }

  async rows<Row>(text: string, values: readonly unknown[]): Promise<Row[]> {
    return (await this.run(this.pool, text, values)).rows as Row[];
  }

  async row<Row>(text: string, values: readonly unknown[]): Promise<Row | undefined> {
    return (await this.rows<Row>(text, values))[0];
  }

  /** Runs a statement written for PostgreSQL itself ($1 placeholders), for what only this engine has. */
  async query(
    text: string,
    values: readonly unknown[],
  ): Promise<{ rows: Array<Record<string, unknown>>; rowCount: number | null }> {
    try {
      return await this.pool.query(text, values as unknown[]);
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async ping(): Promise<void> {
    await this.run(this.pool, 'SELECT 1', []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async runChecked(
    on: pg.Pool | pg.PoolClient,
    s: SqlStatement,
    earlier: readonly StatementResult[],
  ): Promise<StatementResult> {
    const result = await this.run(on, s.text, valuesOf(s, earlier));
    const changes = result.rowCount ?? 0;
    if (s.refuseUnlessChanged && changes === 0) throw new CommitRefusedError(s.refuseUnlessChanged);
    return { changes, rows: result.rows };
  }

  /** Every statement goes through here, so an unreachable server always surfaces the same way. */
  private async run(
    on: pg.Pool | pg.PoolClient,
    text: string,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<Record<string, unknown>>> {
    try {
      return await on.query(this.placeholders(text), values as unknown[]);
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  private placeholders(text: string): string {
    let numbered = this.numbered.get(text);
    if (numbered === undefined) {
      let n = 0;
      numbered = text.replace(/\?/g, () => `$${++n}`);
      this.numbered.set(text, numbered);
    }
    return numbered;
  }
}

/** Connection trouble becomes StorageUnavailableError; a statement the server refuses stays as it is (a bug). */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof pg.DatabaseError && !UNAVAILABLE_CLASSES.has(String(error.code).slice(0, 2))) return error;
  if (!(error instanceof Error) || error instanceof StorageUnavailableError || error instanceof CommitRefusedError)
    return error;
  return new StorageUnavailableError(ENGINE, { cause: error });
}
