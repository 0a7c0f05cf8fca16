import type { Decision, DecisionRecord, Evidence } from '../../interaction/model.js';
import type { ChainedDecision } from '../ledger-chain.js';
import { jsonText, readJson, readTime, type SqlClient } from './sql-client.js';

/** The columns of a record, without the chain's (prev_hash, hash). */
export const DECISION_COLUMNS = [
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
] as const;

/** The values of DECISION_COLUMNS, column for column: the one mapping from a record to a row. */
export function decisionValues(client: SqlClient, r: DecisionRecord): unknown[] {
  return [
    r.interactionId,
    r.state,
    r.subject,
    r.step,
    r.termsVersion,
    r.termsHash,
    r.locale,
    r.decision,
    client.time(r.at),
    r.ip,
    r.userAgent,
    jsonText(r.claims),
    jsonText(r.evidence),
  ];
}

/** The record a stored row stands for: the one mapping back. */
function decisionFromRow(row: Record<string, unknown>): DecisionRecord {
  return {
    interactionId: String(row.interaction_id),
    state: String(row.state),
    subject: textOf(row, 'subject'),
    step: String(row.step),
    termsVersion: textOf(row, 'terms_version'),
    termsHash: textOf(row, 'terms_hash'),
    locale: textOf(row, 'locale'),
    decision: row.decision as Decision,
    at: readTime(row.at),
    ip: textOf(row, 'ip'),
    userAgent: textOf(row, 'user_agent'),
    claims: readJson(row.claims) as Record<string, unknown> | null,
    evidence: readJson(row.evidence) as Evidence | null,
  };
}

/** A stored row with its links in the hash chain. */
export function chainedFromRow(row: Record<string, unknown>): ChainedDecision {
  return {
    seq: Number(row.seq),
    record: decisionFromRow(row),
    prevHash: textOf(row, 'prev_hash'),
    hash: textOf(row, 'hash'),
  };
}

function textOf(row: Record<string, unknown>, column: string): string | null {
  const value = row[column];
  return typeof value === 'string' ? value : null;
}
