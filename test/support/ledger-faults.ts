import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * Makes every ledger write fail in the real database, from a second connection (as a full disk
 * or a locked replica would), until the returned function lifts it.
 */
export function refuseLedgerWrites(dataDir: string): () => void {
  const db = new Database(path.join(dataDir, 'hook.db'));
  db.exec("CREATE TRIGGER test_refuse_decisions BEFORE INSERT ON decisions BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
  return () => {
    db.exec('DROP TRIGGER test_refuse_decisions');
    db.close();
  };
}
