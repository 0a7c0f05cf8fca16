import type { SessionCommit } from '../ports.js';
import { appendDecisionStatements } from './chain-statements.js';
import type { SqlClient, SqlStatement } from './sql-client.js';

export const INSERT_CLAIM = 'INSERT INTO claims (key, expires_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING';
const INSERT_COMPLETION =
  'INSERT INTO completions (interaction_id, url, expires_at) VALUES (?, ?, ?) ON CONFLICT (interaction_id) DO NOTHING';

/**
 * The statements that make `commit` durable, each refusing the whole commit when it was done
 * before. The decision goes last: its append holds the ledger's chain until the commit.
 */
export function sessionCommitStatements(client: SqlClient, commit: SessionCommit): SqlStatement[] {
  const statements: SqlStatement[] = [];
  if (commit.claim)
    statements.push({
      text: INSERT_CLAIM,
      values: [commit.claim.key, client.time(commit.claim.expiresAt)],
      refuseUnlessChanged: 'token_claimed',
    });
  if (commit.completion) {
    const { interactionId, url, expiresAt } = commit.completion;
    statements.push({ text: INSERT_COMPLETION, values: [interactionId, url, client.time(new Date(expiresAt))] });
  }
  if (commit.decision) statements.push(...appendDecisionStatements(client, commit.decision));
  return statements;
}
