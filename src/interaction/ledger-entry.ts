import type { Request } from 'express';
import type { Arrival } from '../mattr/session-token.js';
import type { Decision, DecisionRecord, Evidence } from './model.js';
import type { Interaction } from './interaction.js';
import type { LedgerSettings } from './journey-settings.js';

/** Longer than any plausible identifier: such a value names no one and is not kept. */
const MAX_SUBJECT_LENGTH = 512;
/** User-Agent headers are cut here; the rest says nothing a record needs. */
const MAX_USER_AGENT_LENGTH = 512;

/**
 * Whom the ledger names: the configured claim (LEDGER_SUBJECT_CLAIM) when the token carries it,
 * else the token's `sub`, else nobody.
 */
export function subjectOf(arrival: Arrival, subjectClaim: string | undefined): string | null {
  const claimed = subjectClaim === undefined ? undefined : arrival.claims[subjectClaim];
  const subject =
    typeof claimed === 'string' || (typeof claimed === 'number' && Number.isFinite(claimed))
      ? String(claimed).trim()
      : arrival.subject;
  return subject !== null && subject !== '' && subject.length <= MAX_SUBJECT_LENGTH ? subject : null;
}

/**
 * One ledger row for a decision on `step`, with only what the operator chose to record. The
 * step's evidence is kept whole; its `version`, `sha256` and `locale` (a terms step's) also fill
 * the indexed columns that `skipIfAccepted` and the export read.
 */
export function ledgerEntry(
  req: Request,
  interaction: Interaction,
  step: string,
  decision: Decision,
  evidence: Evidence | null,
  options: { ledger: LedgerSettings; at: Date; locale: string },
): DecisionRecord {
  const { ledger } = options;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    interactionId: interaction.id,
    state: interaction.state,
    subject: interaction.subject,
    step,
    termsVersion: text(evidence?.version),
    termsHash: text(evidence?.sha256),
    locale: text(evidence?.locale) ?? options.locale,
    decision,
    at: options.at,
    ip: ledger.recordIp ? (req.ip ?? null) : null,
    userAgent: ledger.recordUserAgent ? (req.get('user-agent')?.slice(0, MAX_USER_AGENT_LENGTH) ?? null) : null,
    claims: ledger.claims.length > 0 ? pick({ ...interaction.claims, ...interaction.collected }, ledger.claims) : null,
    evidence,
  };
}

function pick(claims: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => Object.hasOwn(claims, name)).map((name) => [name, claims[name]]));
}
