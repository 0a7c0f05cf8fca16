import Database from 'better-sqlite3';
import { CommitRefusedError } from '../../interaction/model.js';
import { valuesOf, type SqlClient, type SqlStatement, type StatementResult } from '../sql/sql-client.js';
import { SqliteGroupCommit } from './group-commit.js';

/**
 * The embedded engine behind the SQL ports. Writes share one commit (and one fsync) per batch
 * (SqliteGroupCommit); the statements of one `commit` run inside a savepoint of that batch, so
 * they stand or fall together. Statements are prepared once per text.
 */
export class SqliteClient implements SqlClient {
  readonly engine = 'sqlite';
  private readonly writes: SqliteGroupCommit;
  private readonly prepared = new Map<string, Database.Statement>();
  /** The prepared writes that return rows (`RETURNING`), asked of the statement once. */
  private readonly readers = new WeakSet<Database.Statement>();
  private readonly unit;

  constructor(private readonly db: Database.Database) {
    this.writes = new SqliteGroupCommit(db);
    this.unit = {
      begin: db.prepare('SAVEPOINT unit'),
      undo: db.prepare('ROLLBACK TO unit'),
      end: db.prepare('RELEASE unit'),
    };
  }

  time(at: Date): number {
    return at.getTime();
  }

  commit(statements: readonly SqlStatement[]): Promise<StatementResult[]> {
    const [only] = statements;
    return this.writes.run(() =>
      statements.length === 1 && only ? [this.runChecked(only, [])] : this.runTogether(statements),
    );
  }

  update<T>(
    _lock: string,
    read: SqlStatement,
    change: (rows: Array<Record<string, unknown>>) => { statements: readonly SqlStatement[]; result: T },
  ): Promise<T> {
    // Inside the batch's write transaction (BEGIN IMMEDIATE): no other writer runs between the read and the writes.
    return this.writes.run(() => {
      const { statements, result } = change(
        this.statement(read.text).all(...valuesOf(read, [])) as Array<Record<string, unknown>>,
      );
      this.runTogether(statements);
      return result;
    });
  }

  async rows<Row>(text: string, values: readonly unknown[]): Promise<Row[]> {
    return this.statement(text).all(...values) as Row[];
  }

  async row<Row>(text: string, values: readonly unknown[]): Promise<Row | undefined> {
    return this.statement(text).get(...values) as Row | undefined;
  }

  async ping(): Promise<void> {
    this.statement('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush(true);
    this.db.close();
  }

  private runTogether(statements: readonly SqlStatement[]): StatementResult[] {
    this.unit.begin.run();
    try {
      const results: StatementResult[] = [];
      for (const s of statements) results.push(this.runChecked(s, results));
      this.unit.end.run();
      return results;
    } catch (error) {
      if (this.db.inTransaction) {
        this.unit.undo.run();
        this.unit.end.run();
      }
      throw error;
    }
  }

  private runChecked(s: SqlStatement, earlier: readonly StatementResult[]): StatementResult {
    const statement = this.statement(s.text);
    const values = valuesOf(s, earlier);
    let result: StatementResult;
    if (this.readers.has(statement)) {
      const rows = statement.all(...values) as Array<Record<string, unknown>>;
      result = { rows, changes: rows.length };
    } else {
      result = { rows: [], changes: statement.run(...values).changes };
    }
    if (s.refuseUnlessChanged && result.changes === 0) throw new CommitRefusedError(s.refuseUnlessChanged);
    return result;
  }

  private statement(text: string): Database.Statement {
    let statement = this.prepared.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      if (statement.reader) this.readers.add(statement);
      this.prepared.set(text, statement);
    }
    return statement;
  }
}
