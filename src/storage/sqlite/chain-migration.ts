import type Database from 'better-sqlite3';
import { GENESIS_HASH, linkRows } from '../ledger-chain.js';
import { chainedFromRow } from '../sql/decision-row.js';

const BATCH = 1000;

/**
 * Migration 6: the hash chain. Every row gets the hash of the row before it and its own, computed
 * once here in write order (seq) from the genesis, and the chain's record (ledger_chain) its head.
 * The append-only trigger is lifted for this one pass, inside the migration's transaction.
 */
export function chainTheLedger(db: Database.Database): void {
  db.exec(`ALTER TABLE decisions ADD COLUMN prev_hash TEXT;
    ALTER TABLE decisions ADD COLUMN hash TEXT;
    CREATE TABLE ledger_chain (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      head_hash TEXT NOT NULL,
      -- The head before the last append: the link the newest row took.
      prev_head_hash TEXT,
      length INTEGER NOT NULL,
      start_hash TEXT NOT NULL,
      start_length INTEGER NOT NULL,
      pruned_at INTEGER
    );
    DROP TRIGGER decisions_append_only;`);
  const read = db.prepare('SELECT * FROM decisions WHERE seq > ? ORDER BY seq LIMIT ?');
  const write = db.prepare('UPDATE decisions SET prev_hash = ?, hash = ? WHERE seq = ?');
  let head = GENESIS_HASH;
  let length = 0;
  let after = 0;
  for (;;) {
    const rows = (read.all(after, BATCH) as Array<Record<string, unknown>>).map(chainedFromRow);
    if (rows.length === 0) break;
    const links = linkRows(rows, head);
    for (const link of links) write.run(link.prevHash, link.hash, link.seq);
    head = links.at(-1)?.hash ?? head;
    length += rows.length;
    after = rows.at(-1)?.seq ?? after;
  }
  db.prepare('INSERT INTO ledger_chain (id, head_hash, length, start_hash, start_length) VALUES (1, ?, ?, ?, 0)').run(
    head,
    length,
    GENESIS_HASH,
  );
  db.exec(`CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;`);
}
