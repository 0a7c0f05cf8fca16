import type { Ledger, TokenClaims } from '../ports.js';
import type { Decision } from '../../interaction/model.js';
import type { PublishedTermsStore, StepRecords } from '../../interaction/steps/step-ports.js';
import type { ChainedDecision } from '../ledger-chain.js';
import { chainStateFromRow, pruneStatements, SELECT_CHAIN_STATE } from './chain-statements.js';
import { chainedFromRow } from './decision-row.js';
import { INSERT_CLAIM } from './session-commit-statements.js';
import { jsonText, readJson, readTime, type SqlClient } from './sql-client.js';

/** Rows fetched per round trip when the ledger is read out: an export holds no lock while the caller works. */
const EXPORT_BATCH = 500;

export function sqlTokenClaims(client: SqlClient): TokenClaims {
  return {
    async claimOnce(key, expiresAt) {
      const [result] = await client.commit([{ text: INSERT_CLAIM, values: [key, client.time(expiresAt)] }]);
      return result?.changes === 1;
    },
  };
}

export function sqlLedger(client: SqlClient): Ledger {
  async function* chained(filter: { since?: Date; afterSeq?: number } = {}): AsyncGenerator<ChainedDecision> {
    const since = client.time(filter.since ?? new Date(0));
    let after = filter.afterSeq;
    for (;;) {
      // Without a lower bound at first: a row given a seq below 1 by hand is read (and found out) too.
      const rows =
        after === undefined
          ? await client.rows('SELECT * FROM decisions WHERE at >= ? ORDER BY seq LIMIT ?', [since, EXPORT_BATCH])
          : await client.rows('SELECT * FROM decisions WHERE at >= ? AND seq > ? ORDER BY seq LIMIT ?', [
              since,
              after,
              EXPORT_BATCH,
            ]);
      for (const row of rows) yield chainedFromRow(row);
      if (rows.length < EXPORT_BATCH) return;
      after = Number(rows.at(-1)?.seq);
    }
  }
  return {
    // Served by the UNIQUE (interaction_id, step) index that also guards the append of a decision.
    async decisionFor(interactionId, step) {
      const rows = await client.rows<{ decision: Decision }>(
        'SELECT decision FROM decisions WHERE interaction_id = ? AND step = ?',
        [interactionId, step],
      );
      return rows[0]?.decision ?? null;
    },
    async completionFor(interactionId, now) {
      const rows = await client.rows<{ url: string; expires_at: unknown }>(
        'SELECT url, expires_at FROM completions WHERE interaction_id = ? AND expires_at > ?',
        [interactionId, client.time(now)],
      );
      const row = rows[0];
      return row ? { url: row.url, expiresAt: readTime(row.expires_at).getTime() } : null;
    },
    async hasAccepted(subject, step, version) {
      const rows = await client.rows(
        "SELECT 1 AS found FROM decisions WHERE subject = ? AND step = ? AND terms_version = ? AND decision = 'accepted' LIMIT 1",
        [subject, step, version],
      );
      return rows.length > 0;
    },
    async *decisions(filter = {}) {
      for await (const row of chained(filter)) yield row.record;
    },
    chained,
    async chainState() {
      const row = await client.row(SELECT_CHAIN_STATE, []);
      return row ? chainStateFromRow(row) : null;
    },
    async prune(before) {
      const results = await client.commit(pruneStatements(client, before, new Date()));
      return results.at(-1)?.changes ?? 0;
    },
  };
}

export function sqlPublishedTerms(client: SqlClient): PublishedTermsStore {
  return {
    async publish(t) {
      await client.commit([
        {
          text: 'INSERT INTO published_terms (step, version, locale, sha256, first_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
          values: [t.step, t.version, t.locale, t.sha256, client.time(new Date())],
        },
      ]);
      const rows = await client.rows<{ sha256: string }>(
        'SELECT sha256 FROM published_terms WHERE step = ? AND version = ? AND locale = ?',
        [t.step, t.version, t.locale],
      );
      const published = rows[0]?.sha256;
      return published !== undefined && published !== t.sha256
        ? { ok: false, publishedSha256: published }
        : { ok: true };
    },
  };
}

export function sqlStepRecords(client: SqlClient): StepRecords {
  return {
    async put(kind, key, value, expiresAt) {
      await client.commit([
        {
          text: 'INSERT INTO step_records (kind, key, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
          values: [kind, key, jsonText(value) ?? 'null', client.time(expiresAt)],
        },
      ]);
    },
    async add(kind, key, value, expiresAt, now) {
      const [result] = await client.commit([
        {
          text: 'INSERT INTO step_records (kind, key, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE step_records.expires_at <= ?',
          values: [kind, key, jsonText(value) ?? 'null', client.time(expiresAt), client.time(now)],
        },
      ]);
      return result?.changes === 1;
    },
    async get(kind, key, now) {
      const rows = await client.rows<{ value: string }>(
        'SELECT value FROM step_records WHERE kind = ? AND key = ? AND expires_at > ?',
        [kind, key, client.time(now)],
      );
      return rows[0] ? readJson(rows[0].value) : null;
    },
    update(kind, key, now, change) {
      const read = {
        text: 'SELECT value FROM step_records WHERE kind = ? AND key = ? AND expires_at > ?',
        values: [kind, key, client.time(now)],
      };
      return client.update(`step-record:${kind}:${key}`, read, (rows) => {
        const row = rows[0];
        const changed = change(row ? readJson(row.value) : null);
        const write = {
          text: 'INSERT INTO step_records (kind, key, value, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at',
          values: [kind, key, jsonText(changed.value) ?? 'null', client.time(changed.expiresAt)],
        };
        return { statements: [write], result: changed.result };
      });
    },
    async take(kind, key, now) {
      const [result] = await client.commit([
        {
          text: 'DELETE FROM step_records WHERE kind = ? AND key = ? AND expires_at > ? RETURNING value',
          values: [kind, key, client.time(now)],
        },
      ]);
      const row = result?.rows[0];
      return row ? readJson(row.value) : null;
    },
    async delete(kind, key) {
      await client.commit([{ text: 'DELETE FROM step_records WHERE kind = ? AND key = ?', values: [kind, key] }]);
    },
  };
}

/** Deletes what has expired in the tables every SQL engine has; returns how many rows went. */
export async function pruneSqlExpired(client: SqlClient, now: Date): Promise<number> {
  const at = client.time(now);
  const results = await client.commit(
    ['claims', 'sessions', 'completions', 'step_records'].map((table) => ({
      text: `DELETE FROM ${table} WHERE expires_at <= ?`,
      values: [at],
    })),
  );
  return results.reduce((sum, r) => sum + r.changes, 0);
}
