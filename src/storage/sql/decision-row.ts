import type { Decision, DecisionRecord, Evidence } from '../../interaction/model.js';
import { jsonText, readJson, readTime, type SqlClient } from './sql-client.js';

const COLUMNS = ['interaction_id', 'state', 'subject', 'step', 'terms_version', 'terms_hash', 'locale', 'decision', 'at', 'ip', 'user_agent', 'claims', 'evidence'] as const;

/** The INSERT of one ledger row; nothing when the interaction already decided that step. */
export const INSERT_DECISION = `INSERT INTO decisions (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')}) ON CONFLICT (interaction_id, step) DO NOTHING`;

/** The values of INSERT_DECISION, column for column: the one mapping from a record to a row. */
export function decisionValues(client: SqlClient, r: DecisionRecord): unknown[] {
  return [r.interactionId, r.state, r.subject, r.step, r.termsVersion, r.termsHash, r.locale, r.decision, client.time(r.at), r.ip, r.userAgent, jsonText(r.claims), jsonText(r.evidence)];
}

/** The record a stored row stands for: the one mapping back. */
export function decisionFromRow(row: Record<string, unknown>): DecisionRecord {
  const text = (column: string) => {
    const value = row[column];
    return typeof value === 'string' ? value : null;
  };
  return {
    interactionId: String(row.interaction_id),
    state: String(row.state),
    subject: text('subject'),
    step: String(row.step),
    termsVersion: text('terms_version'),
    termsHash: text('terms_hash'),
    locale: text('locale'),
    decision: row.decision as Decision,
    at: readTime(row.at),
    ip: text('ip'),
    userAgent: text('user_agent'),
    claims: readJson(row.claims) as Record<string, unknown> | null,
    evidence: readJson(row.evidence) as Evidence | null,
  };
}
