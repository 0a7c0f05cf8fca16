import type pg from 'pg';
import { GENESIS_HASH, linkRows } from '../ledger-chain.js';
import { chainedFromRow } from '../sql/decision-row.js';

const BATCH = 1000;

/**
 * Migration 6: the hash chain. Every row gets the hash of the row before it and its own, computed
 * once here in write order (seq) from the genesis, and the chain's record (ledger_chain) its head.
 * The append-only trigger is lifted for this one pass, inside the migration's transaction.
 */
export async function chainTheLedger(client: pg.Client): Promise<void> {
  await client.query(`ALTER TABLE decisions ADD COLUMN prev_hash text, ADD COLUMN hash text;
    CREATE TABLE ledger_chain (
      id integer PRIMARY KEY CHECK (id = 1),
      head_hash text NOT NULL,
      -- The head before the last append: the link the newest row took.
      prev_head_hash text,
      length bigint NOT NULL,
      start_hash text NOT NULL,
      start_length bigint NOT NULL,
      pruned_at timestamptz
    );
    ALTER TABLE decisions DISABLE TRIGGER decisions_no_update;`);
  let head = GENESIS_HASH;
  let length = 0;
  let after = 0;
  for (;;) {
    const rows = (
      await client.query<Record<string, unknown>>('SELECT * FROM decisions WHERE seq > $1 ORDER BY seq LIMIT $2', [
        after,
        BATCH,
      ])
    ).rows.map(chainedFromRow);
    if (rows.length === 0) break;
    const links = linkRows(rows, head);
    await client.query(
      'UPDATE decisions SET prev_hash = l.prev_hash, hash = l.hash FROM unnest($1::bigint[], $2::text[], $3::text[]) AS l (seq, prev_hash, hash) WHERE decisions.seq = l.seq',
      [links.map((l) => l.seq), links.map((l) => l.prevHash), links.map((l) => l.hash)],
    );
    head = links.at(-1)?.hash ?? head;
    length += rows.length;
    after = rows.at(-1)?.seq ?? after;
  }
  await client.query(
    'INSERT INTO ledger_chain (id, head_hash, length, start_hash, start_length) VALUES (1, $1, $2, $3, 0)',
    [head, length, GENESIS_HASH],
  );
  await client.query('ALTER TABLE decisions ENABLE TRIGGER decisions_no_update');
}
