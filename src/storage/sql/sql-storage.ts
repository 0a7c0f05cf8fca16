import type { Store as RateLimitStore } from 'express-rate-limit';
import type { Store as SessionStore } from 'express-session';
import type { Storage } from '../ports.js';
import type { SqlClient } from './sql-client.js';
import { sqlSubjectRecords } from './sql-subject-records.js';
import { SqlSessionStore } from './sql-session-store.js';
import { pruneSqlExpired, sqlLedger, sqlPublishedTerms, sqlStepRecords, sqlTokenClaims } from './sql-ports.js';

export interface SqlStorageOptions {
  /** Sessions kept elsewhere (Redis); by default in the database itself. */
  sessions?: SessionStore;
  arrivalCounts?: () => RateLimitStore;
  /** More to delete when expired (arrival counts), and more to ping and close (Redis). */
  pruneMore?: (now: Date) => Promise<number>;
  pingMore?: () => Promise<void>;
  closeMore?: () => Promise<void>;
}

/** The storage on one SQL engine: every port served by the same statements. */
export function sqlStorage(client: SqlClient, engine: string, options: SqlStorageOptions = {}): Storage {
  let closed = false;
  return {
    engine,
    sessions: options.sessions ?? new SqlSessionStore(client),
    tokens: sqlTokenClaims(client),
    ledger: sqlLedger(client),
    terms: sqlPublishedTerms(client),
    stepRecords: sqlStepRecords(client),
    subjectRecords: sqlSubjectRecords(client),
    ...(options.arrivalCounts ? { arrivalCounts: options.arrivalCounts } : {}),
    async pruneExpired(now) {
      return (await pruneSqlExpired(client, now)) + ((await options.pruneMore?.(now)) ?? 0);
    },
    async ping() {
      await Promise.all([client.ping(), options.pingMore?.()]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([client.close(), options.closeMore?.()]);
    },
  };
}
