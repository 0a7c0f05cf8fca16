import { createHash } from 'node:crypto';
import type { DecisionRecord } from '../interaction/model.js';

/**
 * The ledger's hash chain (docs/ledger.md): every row carries `hash = SHA-256(prevHash ‖ content)`,
 * where `prevHash` is the hash of the row written before it and `content` the row's canonical JSON.
 * Changing, removing or inserting a row breaks the links after it. Everything here is what a third
 * party needs to recompute the chain from an export, and nothing else.
 */

/** What the first row of a chain links to: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** A ledger row with its place in the chain. */
export interface ChainedDecision {
  /** The row's number in the database, in write order (not hashed: it only names the row). */
  seq: number;
  record: DecisionRecord;
  /** Null for a row that was not written by the hook (inserted by hand, or from before a failed migration). */
  prevHash: string | null;
  hash: string | null;
}

/** The chain as the database records it beside the rows, updated with every append and prune. */
export interface ChainState {
  /** The hash of the newest row: what `ledger head` prints and `verify --head` checks against. */
  headHash: string;
  /** Rows ever appended, the pruned ones included. */
  length: number;
  /** What the oldest kept row links to: GENESIS_HASH, or the hash of the last pruned row (the checkpoint). */
  startHash: string;
  /** Rows pruned so far. */
  startLength: number;
  /** When the last prune ran, if one did. */
  prunedAt: Date | null;
}

/** A record as JSON: what `ledger export` writes and, with its keys sorted, what is hashed. */
export function recordJson(r: DecisionRecord): Record<string, unknown> {
  return {
    at: r.at.toISOString(),
    interactionId: r.interactionId,
    state: r.state,
    subject: r.subject,
    step: r.step,
    termsVersion: r.termsVersion,
    termsHash: r.termsHash,
    locale: r.locale,
    decision: r.decision,
    ip: r.ip,
    userAgent: r.userAgent,
    claims: r.claims,
    evidence: r.evidence,
  };
}

/**
 * JSON in the form of RFC 8785 (JCS) for JSON data: object keys sorted by UTF-16 code unit at
 * every depth, no whitespace, strings and numbers as ECMAScript's JSON.stringify writes them.
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The canonical content of a row: the part of its hash that is the row itself. */
export function chainContent(record: DecisionRecord): string {
  return canonicalJson(recordJson(record));
}

/** SHA-256 over the UTF-8 bytes of the previous hash (64 lowercase hex digits) followed by the content; lowercase hex. */
export function chainHash(prevHash: string, content: string): string {
  return createHash('sha256').update(prevHash).update(content).digest('hex');
}

/** Where a row goes in the chain. */
export interface ChainLink {
  seq: number;
  prevHash: string;
  hash: string;
}

/** Links rows given in write order onto the chain that ends in `head`; the last link's hash is the new head. */
export function linkRows(rows: ReadonlyArray<{ seq: number; record: DecisionRecord }>, head: string): ChainLink[] {
  const links: ChainLink[] = [];
  let prevHash = head;
  for (const { seq, record } of rows) {
    const hash = chainHash(prevHash, chainContent(record));
    links.push({ seq, prevHash, hash });
    prevHash = hash;
  }
  return links;
}
