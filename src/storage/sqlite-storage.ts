import path from 'node:path';
import Database from 'better-sqlite3';
import { keepDatabasePrivate, preparePrivateDatabase } from './private-files.js';
import { SqliteGroupCommit } from './sqlite-group-commit.js';
import { SqliteSessionStore } from './sqlite-session-store.js';
import { decisionFromRow, type DecisionRow } from './decision-row.js';
import type { Decision, DecisionRecord, PublishedTerms, Storage } from './storage.js';

/** Versioned schema: entry N brings the database from user_version N to N+1. Never edit a published entry. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE sessions (sid TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX sessions_expires_at ON sessions (expires_at);
   CREATE TABLE claims (key TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
   CREATE INDEX claims_expires_at ON claims (expires_at);
   CREATE TABLE decisions (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     interaction_id TEXT NOT NULL,
     state TEXT NOT NULL,
     subject TEXT,
     step TEXT NOT NULL,
     terms_version TEXT,
     terms_hash TEXT,
     locale TEXT,
     decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed')),
     at INTEGER NOT NULL,
     ip TEXT,
     user_agent TEXT,
     claims TEXT,
     UNIQUE (interaction_id, step)
   );
   CREATE INDEX decisions_at ON decisions (at);
   CREATE INDEX decisions_subject ON decisions (subject, step, terms_version) WHERE subject IS NOT NULL;
   CREATE TABLE published_terms (
     step TEXT NOT NULL,
     version TEXT NOT NULL,
     locale TEXT NOT NULL,
     sha256 TEXT NOT NULL,
     first_seen INTEGER NOT NULL,
     PRIMARY KEY (step, version, locale)
   );`,
  // 2: the `already_accepted` decision (a CHECK constraint can only change by rebuilding the table),
  // and the ledger refuses updates: rows are appended, and only retention deletes them.
  `CREATE TABLE decisions_next (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     interaction_id TEXT NOT NULL,
     state TEXT NOT NULL,
     subject TEXT,
     step TEXT NOT NULL,
     terms_version TEXT,
     terms_hash TEXT,
     locale TEXT,
     decision TEXT NOT NULL CHECK (decision IN ('accepted', 'declined', 'expired', 'failed', 'already_accepted')),
     at INTEGER NOT NULL,
     ip TEXT,
     user_agent TEXT,
     claims TEXT,
     UNIQUE (interaction_id, step)
   );
   INSERT INTO decisions_next SELECT * FROM decisions;
   DROP TABLE decisions;
   ALTER TABLE decisions_next RENAME TO decisions;
   CREATE INDEX decisions_at ON decisions (at);
   CREATE INDEX decisions_subject ON decisions (subject, step, terms_version) WHERE subject IS NOT NULL;
   CREATE TRIGGER decisions_append_only BEFORE UPDATE ON decisions
   BEGIN SELECT RAISE(ABORT, 'the decision ledger is append-only'); END;`,
];

/** A ledger row as SQLite holds it: the time in epoch milliseconds, the claims as JSON text. */
type SqliteDecisionRow = DecisionRow<number, string | null>;

/** The embedded default: one SQLite file (WAL) in DATA_DIR holds sessions, claims and the ledger. */
export class SqliteStorage implements Storage {
  readonly engine = 'sqlite';
  readonly sessions: SqliteSessionStore;
  private readonly db: Database.Database;
  /** Durable writes share one commit (and one fsync) per batch: see SqliteGroupCommit. */
  private readonly writes: SqliteGroupCommit;
  private readonly statements;

  constructor(file: string) {
    if (file !== ':memory:') preparePrivateDatabase(path.dirname(file), file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    if (file !== ':memory:') keepDatabasePrivate(file);
    // FULL: a decision is on disk before the user is redirected, even across a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // Sessions are looked up by random id, so lookups land on random pages: the default 2 MB page
    // cache stopped holding them after a few thousand sessions, and every read went to the OS.
    this.db.pragma('cache_size = -32768');
    migrate(this.db);
    this.writes = new SqliteGroupCommit(this.db);
    this.sessions = new SqliteSessionStore(this.db, this.writes);
    this.statements = {
      claim: this.db.prepare('INSERT INTO claims (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
      record: this.db.prepare(
        `INSERT INTO decisions (interaction_id, state, subject, step, terms_version, terms_hash, locale, decision, at, ip, user_agent, claims)
         VALUES (@interaction_id, @state, @subject, @step, @terms_version, @terms_hash, @locale, @decision, @at, @ip, @user_agent, @claims)
         ON CONFLICT (interaction_id, step) DO NOTHING`,
      ),
      publishTerms: this.db.prepare('INSERT INTO published_terms (step, version, locale, sha256, first_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      publishedTerms: this.db.prepare<[string, string, string], { sha256: string }>('SELECT sha256 FROM published_terms WHERE step = ? AND version = ? AND locale = ?'),
      // Served by the UNIQUE (interaction_id, step) index that also guards recordDecision.
      decisionFor: this.db.prepare<[string, string], { decision: Decision }>('SELECT decision FROM decisions WHERE interaction_id = ? AND step = ?'),
      hasAccepted: this.db.prepare("SELECT 1 FROM decisions WHERE subject = ? AND step = ? AND terms_version = ? AND decision = 'accepted' LIMIT 1"),
      decisionsSince: this.db.prepare('SELECT * FROM decisions WHERE at >= ? ORDER BY seq'),
      pruneDecisions: this.db.prepare('DELETE FROM decisions WHERE at < ?'),
      pruneClaims: this.db.prepare('DELETE FROM claims WHERE expires_at <= ?'),
      ping: this.db.prepare('SELECT 1'),
    };
  }

  async claimOnce(key: string, expiresAt: Date): Promise<boolean> {
    return this.writes.run(() => this.statements.claim.run(key, expiresAt.getTime()).changes === 1);
  }

  async recordDecision(r: DecisionRecord): Promise<boolean> {
    const row: SqliteDecisionRow = {
      interaction_id: r.interactionId,
      state: r.state,
      subject: r.subject,
      step: r.step,
      terms_version: r.termsVersion,
      terms_hash: r.termsHash,
      locale: r.locale,
      decision: r.decision,
      at: r.at.getTime(),
      ip: r.ip,
      user_agent: r.userAgent,
      claims: r.claims === null ? null : JSON.stringify(r.claims),
    };
    return this.writes.run(() => this.statements.record.run(row).changes === 1);
  }

  async publishTerms(t: PublishedTerms): Promise<{ ok: true } | { ok: false; publishedSha256: string }> {
    const published = await this.writes.run(() => {
      this.statements.publishTerms.run(t.step, t.version, t.locale, t.sha256, Date.now());
      return this.statements.publishedTerms.get(t.step, t.version, t.locale);
    });
    return published && published.sha256 !== t.sha256 ? { ok: false, publishedSha256: published.sha256 } : { ok: true };
  }

  async decisionFor(interactionId: string, step: string): Promise<Decision | null> {
    return this.statements.decisionFor.get(interactionId, step)?.decision ?? null;
  }

  async hasAccepted(subject: string, step: string, version: string): Promise<boolean> {
    return this.statements.hasAccepted.get(subject, step, version) !== undefined;
  }

  async *decisions(filter: { since?: Date } = {}): AsyncIterable<DecisionRecord> {
    for (const row of this.statements.decisionsSince.iterate(filter.since?.getTime() ?? 0) as Iterable<SqliteDecisionRow>) {
      yield decisionFromRow(row, { at: (at) => new Date(at), claims: (claims) => (claims === null ? null : (JSON.parse(claims) as Record<string, unknown>)) });
    }
  }

  async pruneDecisions(before: Date): Promise<number> {
    return this.statements.pruneDecisions.run(before.getTime()).changes;
  }

  async pruneExpired(now: Date): Promise<number> {
    return this.statements.pruneClaims.run(now.getTime()).changes + this.sessions.pruneExpired(now);
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    this.writes.flush(true);
    this.db.close();
  }
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`the database schema (version ${current}) is newer than this release knows (${MIGRATIONS.length}); upgrade the hook`);
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
