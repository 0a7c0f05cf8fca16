import { chainContent, chainHash, type ChainState } from '../ledger-chain.js';
import type { DecisionRecord } from '../../interaction/model.js';
import { DECISION_COLUMNS, decisionValues } from './decision-row.js';
import { readTime, type SqlClient, type SqlStatement, type StatementResult } from './sql-client.js';

/**
 * The chain's record (ledger_chain, one row) read for a change. On PostgreSQL the row lock queues
 * the appends and prunes of every replica until the transaction holding it commits; SQLite has a
 * single writer (the batch holds the write lock), so it needs none.
 */
function lockChain(client: SqlClient): SqlStatement {
  return {
    text: `SELECT head_hash FROM ledger_chain WHERE id = 1${client.engine === 'postgres' ? ' FOR UPDATE' : ''}`,
    values: [],
  };
}

/** How long an append on PostgreSQL may wait for the chain (and run) before it fails. */
const CHAIN_WAIT_MS = 20_000;

const COLUMNS = [...DECISION_COLUMNS, 'prev_hash', 'hash'].join(', ');

/** Parameters selected (not inserted as VALUES) take no type from their column: these need one. */
const POSTGRES_CASTS: Partial<Record<(typeof DECISION_COLUMNS)[number], string>> = {
  at: '::timestamptz',
  claims: '::json',
  evidence: '::json',
};

/**
 * PostgreSQL appends in one statement: it moves the chain's head first, and the UPDATE's row lock
 * queues the appends of every replica; one that waited recomputes from the head committed before
 * it (READ COMMITTED re-reads the newest row). The row then takes the old and new head as its
 * links. The lock is held for this statement and the COMMIT only, never across round trips to a
 * busy process. The row comes from the UPDATE's result, so its seq is drawn after the lock too and
 * write order is chain order. The hash is the one chainHash() computes, over the content worked out
 * here. When the INSERT does nothing (decided before), the commit is refused and the head's move undone.
 */
const APPEND_POSTGRES = `WITH moved AS (
    UPDATE ledger_chain SET prev_head_hash = head_hash, head_hash = encode(sha256(convert_to(head_hash || ?, 'UTF8')), 'hex'), length = length + 1
    WHERE id = 1 RETURNING prev_head_hash, head_hash)
  INSERT INTO decisions (${COLUMNS})
  SELECT ${DECISION_COLUMNS.map((column) => `?${POSTGRES_CASTS[column] ?? ''}`).join(', ')}, prev_head_hash, head_hash FROM moved
  ON CONFLICT (interaction_id, step) DO NOTHING`;

/** SQLite reads the head, inserts the row with the hash worked out here, and moves the head, inside its batch. */
const INSERT_DECISION = `INSERT INTO decisions (${COLUMNS}) VALUES (${[...DECISION_COLUMNS, 'prev_hash', 'hash'].map(() => '?').join(', ')}) ON CONFLICT (interaction_id, step) DO NOTHING RETURNING hash`;

/**
 * The statements that append `record` to the chain, for a commit of their own or last in a larger
 * one, so the chain is held for as short a time as can be. When the interaction has decided this
 * step before, nothing is written and the commit fails with CommitRefusedError.
 */
export function appendDecisionStatements(client: SqlClient, record: DecisionRecord): SqlStatement[] {
  // Worked out before the transaction: inside it only the link to the head is left to hash.
  const content = chainContent(record);
  const values = decisionValues(client, record);
  if (client.engine === 'postgres') {
    // Every replica's decisions queue here, each for a statement and a round trip: under a load
    // that starves the processes of CPU that queue outlasts the pool's 5 s statement limit, and a
    // decision that could wait its turn would fail. It waits longer instead (the commit only).
    return [
      { text: `SET LOCAL statement_timeout = ${CHAIN_WAIT_MS}`, values: [] },
      { text: APPEND_POSTGRES, values: [content, ...values], refuseUnlessChanged: 'already_decided' },
    ];
  }
  return [
    lockChain(client),
    {
      text: INSERT_DECISION,
      values: (earlier) => {
        const prevHash = headOf(earlier.at(-1));
        return [...values, prevHash, chainHash(prevHash, content)];
      },
      refuseUnlessChanged: 'already_decided',
    },
    {
      text: 'UPDATE ledger_chain SET prev_head_hash = head_hash, head_hash = ?, length = length + 1 WHERE id = 1',
      values: (earlier) => [earlier.at(-1)?.rows[0]?.hash],
    },
  ];
}

function headOf(result: StatementResult | undefined): string {
  const head = result?.rows[0]?.head_hash;
  if (typeof head !== 'string')
    throw new Error('the ledger has lost its chain record (table ledger_chain): run "interaction-hook ledger verify"');
  return head;
}

/**
 * Retention that keeps the chain verifiable: deletes the rows older than `before` from the start of
 * the chain up to the first row that is not (a row written out of time order waits for a later
 * prune), and records the hash of the last one deleted as the checkpoint the chain starts from.
 * The DELETE's result says how many went.
 */
export function pruneStatements(client: SqlClient, before: Date, now: Date): SqlStatement[] {
  const cutOf = (earlier: readonly StatementResult[]) => earlier[1]?.rows[0]?.cut;
  return [
    lockChain(client),
    // The first row that stays, in write order.
    {
      text: 'SELECT coalesce((SELECT seq FROM decisions WHERE at >= ? ORDER BY seq LIMIT 1), (SELECT max(seq) + 1 FROM decisions), 0) AS cut',
      values: [client.time(before)],
    },
    {
      text: `UPDATE ledger_chain SET
               start_hash = coalesce((SELECT hash FROM decisions WHERE seq < ? ORDER BY seq DESC LIMIT 1), start_hash),
               start_length = start_length + (SELECT count(*) FROM decisions WHERE seq < ?),
               pruned_at = ?
             WHERE id = 1 AND EXISTS (SELECT 1 FROM decisions WHERE seq < ?)`,
      values: (earlier) => [cutOf(earlier), cutOf(earlier), client.time(now), cutOf(earlier)],
    },
    { text: 'DELETE FROM decisions WHERE seq < ?', values: (earlier) => [cutOf(earlier)] },
  ];
}

export const SELECT_CHAIN_STATE =
  'SELECT head_hash, length, start_hash, start_length, pruned_at FROM ledger_chain WHERE id = 1';

export function chainStateFromRow(row: Record<string, unknown>): ChainState {
  return {
    headHash: String(row.head_hash),
    length: Number(row.length),
    startHash: String(row.start_hash),
    startLength: Number(row.start_length),
    prunedAt: row.pruned_at === null || row.pruned_at === undefined ? null : readTime(row.pruned_at),
  };
}
