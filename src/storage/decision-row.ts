import type { DecisionRecord } from './storage.js';

/**
 * A ledger row as every engine stores it, column for column. Engines differ only in how they
 * hold the time (`At`) and the claim values (`Claims`).
 */
export interface DecisionRow<At, Claims> {
  interaction_id: string;
  state: string;
  subject: string | null;
  step: string;
  terms_version: string | null;
  terms_hash: string | null;
  locale: string | null;
  decision: DecisionRecord['decision'];
  at: At;
  ip: string | null;
  user_agent: string | null;
  claims: Claims;
}

/** The ledger record a stored row stands for; `read` turns the engine's time and claims back. */
export function decisionFromRow<At, Claims>(row: DecisionRow<At, Claims>, read: { at: (value: At) => Date; claims: (value: Claims) => Record<string, unknown> | null }): DecisionRecord {
  return {
    interactionId: row.interaction_id,
    state: row.state,
    subject: row.subject,
    step: row.step,
    termsVersion: row.terms_version,
    termsHash: row.terms_hash,
    locale: row.locale,
    decision: row.decision,
    at: read.at(row.at),
    ip: row.ip,
    userAgent: row.user_agent,
    claims: read.claims(row.claims),
  };
}
