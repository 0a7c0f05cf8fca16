import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DecisionRecord } from '../../src/interaction/model.js';

/** A ledger row as written by hand: the record, and the chain columns when the writer sets them (a table from before the chain has none). */
export interface HandWrittenRow {
  seq?: number;
  record: DecisionRecord;
  chain?: { prevHash: string; hash: string };
}

/**
 * The ledger's table reached around the hook, as someone with the database's password would: to
 * change, delete and insert rows by hand (lifting the append-only trigger where needed).
 */
export interface RawLedger {
  seqs(): Promise<number[]>;
  /** Sets one column of row `seq`, with the append-only trigger lifted for the moment. */
  change(seq: number, column: 'decision' | 'subject' | 'hash', value: string): Promise<void>;
  remove(seq: number): Promise<void>;
  insert(row: HandWrittenRow): Promise<void>;
  /** Any other statement, with `?` placeholders. */
  sql(text: string, values?: unknown[]): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

/** The raw ledger of the storage that `env` (DATA_DIR, or DATABASE_URL with its search_path) names. */
export async function rawLedger(env: Record<string, string>): Promise<RawLedger> {
  const url = env.DATABASE_URL;
  if (url === undefined) {
    const db = new Database(path.join(env.DATA_DIR!, 'hook.db'));
    return around({
      query: async (text, values) => {
        const statement = db.prepare(text);
        return statement.reader
          ? (statement.all(...values) as Array<Record<string, unknown>>)
          : (statement.run(...values), []);
      },
      time: (at) => at.getTime(),
      unlocked: async (work) => {
        db.exec('DROP TRIGGER decisions_append_only');
        await work();
        db.exec(
          "CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END",
        );
      },
      overriding: '',
      close: async () => void db.close(),
    });
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const query = async (text: string, values: unknown[]) => {
    let n = 0;
    return (
      await client.query(
        text.replace(/\?/g, () => `$${++n}`),
        values,
      )
    ).rows as Array<Record<string, unknown>>;
  };
  return around({
    query,
    time: (at) => at,
    unlocked: async (work) => {
      await query('ALTER TABLE decisions DISABLE TRIGGER decisions_no_update', []);
      await work();
      await query('ALTER TABLE decisions ENABLE TRIGGER decisions_no_update', []);
    },
    overriding: 'OVERRIDING SYSTEM VALUE',
    close: () => client.end(),
  });
}

interface Engine {
  query: (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>;
  time(at: Date): unknown;
  unlocked(work: () => Promise<void>): Promise<void>;
  /** What PostgreSQL needs to take a seq given by hand. */
  overriding: string;
  close(): Promise<void>;
}

function around(engine: Engine): RawLedger {
  const { query } = engine;
  return {
    async seqs() {
      return (await query('SELECT seq FROM decisions ORDER BY seq', [])).map((r) => Number(r.seq));
    },
    async change(seq, column, value) {
      await engine.unlocked(async () => {
        await query(`UPDATE decisions SET ${column} = ? WHERE seq = ?`, [value, seq]);
      });
    },
    async remove(seq) {
      await query('DELETE FROM decisions WHERE seq = ?', [seq]);
    },
    async insert({ seq, record: r, chain }) {
      const columns = [
        'interaction_id',
        'state',
        'subject',
        'step',
        'terms_version',
        'terms_hash',
        'locale',
        'decision',
        'at',
        'ip',
        'user_agent',
        'claims',
        'evidence',
      ];
      const values: unknown[] = [
        r.interactionId,
        r.state,
        r.subject,
        r.step,
        r.termsVersion,
        r.termsHash,
        r.locale,
        r.decision,
        engine.time(r.at),
        r.ip,
        r.userAgent,
        json(r.claims),
        json(r.evidence),
      ];
      if (chain) {
        columns.push('prev_hash', 'hash');
        values.push(chain.prevHash, chain.hash);
      }
      if (seq !== undefined) {
        columns.unshift('seq');
        values.unshift(seq);
      }
      await query(
        `INSERT INTO decisions (${columns.join(', ')}) ${seq === undefined ? '' : engine.overriding} VALUES (${columns.map(() => '?').join(', ')})`,
        values,
      );
    },
    sql: (text, values = []) => query(text, values),
    close: () => engine.close(),
  };
}

function json(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}
