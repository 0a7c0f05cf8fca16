import type { CommitRefusal } from '../../interaction/model.js';

/** One statement, written with `?` placeholders for every engine. */
export interface SqlStatement {
  text: string;
  /** Or, for what is known only inside the transaction, made from what the statements before it gave back. */
  values: readonly unknown[] | ((earlier: readonly StatementResult[]) => readonly unknown[]);
  /** The whole commit is undone, and fails with CommitRefusedError(reason), when this changes no row. */
  refuseUnlessChanged?: CommitRefusal;
}

export interface StatementResult {
  changes: number;
  /** What a `RETURNING` clause gave back. */
  rows: Array<Record<string, unknown>>;
}

/**
 * What the SQL ports need from an engine: the one place where SQLite and PostgreSQL differ, apart
 * from the schema's migrations. Placeholders are `?`; times go through `time()` (SQLite holds epoch
 * milliseconds, PostgreSQL timestamptz); JSON goes in as text and comes back through `readJson`.
 */
export interface SqlClient {
  readonly engine: 'sqlite' | 'postgres';
  /** A time as this engine's columns hold it. */
  time(at: Date): unknown;
  /** Runs the statements in one transaction; durable when it resolves. */
  commit(statements: readonly SqlStatement[]): Promise<StatementResult[]>;
  /**
   * Read, change and write in one transaction: `read`'s rows go to `change`, whose statements are
   * committed with them. Updates under the same `lock` never interleave (a transaction lock on
   * PostgreSQL, the one writer on SQLite), also when the rows do not exist yet.
   */
  update<T>(
    lock: string,
    read: SqlStatement,
    change: (rows: Array<Record<string, unknown>>) => { statements: readonly SqlStatement[]; result: T },
  ): Promise<T>;
  rows<Row = Record<string, unknown>>(text: string, values: readonly unknown[]): Promise<Row[]>;
  /** The first row only, for lookups by key (the session of every request). */
  row<Row = Record<string, unknown>>(text: string, values: readonly unknown[]): Promise<Row | undefined>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A time column read back: epoch milliseconds (SQLite) or a Date (PostgreSQL). */
export function readTime(value: unknown): Date {
  return new Date(value as number | Date);
}

/** A JSON column read back: text (SQLite, or a text column) or already parsed (PostgreSQL json). */
export function readJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : (value ?? null);
}

/** A statement's values, made from the results so far of the commit it runs in. */
export function valuesOf(statement: SqlStatement, earlier: readonly StatementResult[]): readonly unknown[] {
  return typeof statement.values === 'function' ? statement.values(earlier) : statement.values;
}

export function jsonText(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
