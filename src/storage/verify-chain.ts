import { chainContent, chainHash, type ChainedDecision, type ChainState } from './ledger-chain.js';
import type { Ledger } from './ports.js';

/** How a chain can fail to fit: a row's content, a missing row, a row that belongs nowhere, or the chain's own record. */
export type ChainBreakKind = 'changed' | 'removed' | 'inserted' | 'record' | 'not-trusted';

export type ChainVerdict =
  | {
      ok: true;
      /** The chain as verified: its head is the last row's hash, its length counts the pruned rows too. */
      state: ChainState;
      /** Rows in the database. */
      rows: number;
      /** Where the trusted head (`--head`) was found, counting pruned rows: rows after it were appended since. */
      trustedAt?: number;
    }
  | {
      ok: false;
      kind: ChainBreakKind;
      /** The first row that does not fit, when one does not. */ seq: number | null;
      message: string;
    };

/** How many recent links are remembered to tell an inserted row from a removed one. */
const RECENT_LINKS = 1000;
/** How often the walk goes on to rows appended while it ran before it settles for the chain as it read it. */
const MAX_ROUNDS = 10;

/**
 * Walks the ledger's hash chain in write order from its start (the genesis, or the checkpoint of
 * the last prune) and stops at the first row that does not fit, saying which and why; then checks
 * that the chain ends where its record (ledger_chain) says, and, given `trustedHead` (a head copied
 * earlier to a place the operator trusts), that the chain still passes through it: a chain rewritten
 * as a whole is consistent in itself, but it no longer holds that hash.
 */
export async function verifyChain(ledger: Ledger, options: { trustedHead?: string } = {}): Promise<ChainVerdict> {
  let state = await ledger.chainState();
  if (state === null) return { ok: false, kind: 'record', seq: null, message: MISSING_RECORD };
  const walk = new ChainWalk(state, options.trustedHead);
  for (let round = 0; ; round++) {
    const problem = await walk.through(ledger.chained({ afterSeq: walk.lastSeq }));
    if (problem) return problem;
    // Read after the rows: every row this record counts was committed before it, so it was read.
    const now = await ledger.chainState();
    if (now === null) return { ok: false, kind: 'record', seq: null, message: MISSING_RECORD };
    state = now;
    if (state.length <= walk.position || round === MAX_ROUNDS) break;
  }
  return walk.end(state);
}

const MISSING_RECORD =
  'the chain record (table ledger_chain) is missing: it was deleted by hand, so the head and the checkpoint are unknown';

class ChainWalk {
  /** The hash the next row must link to. */
  private expected: string;
  position: number;
  /** The last row taken in; undefined before the first. */
  lastSeq: number | undefined;
  private rows = 0;
  private trustedAt: number | undefined;
  /** For recent rows: which row follows the row whose hash is the key. */
  private readonly follower = new Map<string, ChainedDecision>();

  constructor(
    private readonly start: ChainState,
    private readonly trustedHead: string | undefined,
  ) {
    this.expected = start.startHash;
    this.position = start.startLength;
    if (trustedHead === start.startHash) this.trustedAt = start.startLength;
  }

  /** Takes in the rows, each judged with the one after it in view; the first that does not fit ends the walk. */
  async through(rows: AsyncIterable<ChainedDecision>): Promise<ChainVerdict | undefined> {
    let pending: ChainedDecision | undefined;
    for await (const row of rows) {
      if (pending) {
        const problem = this.take(pending, row);
        if (problem) return problem;
      }
      pending = row;
    }
    return pending ? this.take(pending, undefined) : undefined;
  }

  private take(row: ChainedDecision, next: ChainedDecision | undefined): ChainVerdict | undefined {
    const consistent =
      row.prevHash !== null && row.hash !== null && chainHash(row.prevHash, chainContent(row.record)) === row.hash;
    if (consistent && row.prevHash === this.expected) {
      this.accept(row);
      return undefined;
    }
    const named = `row ${row.seq} (${describe(row)})`;
    const broken = (kind: ChainBreakKind, why: string): ChainVerdict => ({
      ok: false,
      kind,
      seq: row.seq,
      message: `${named} ${why}`,
    });
    if (row.prevHash === null || row.hash === null)
      return broken('inserted', 'has no hash: it was not appended by the hook but written into the table by hand');
    // The row after it links to the row before it: this one belongs nowhere.
    if (next?.prevHash === this.expected)
      return broken(
        'inserted',
        `was inserted: the rows before and after it (${this.lastSeq ?? 'the start'} and ${next.seq}) link to each other`,
      );
    if (!consistent) return broken('changed', 'was changed after it was written: its content no longer gives its hash');
    const usurper = this.follower.get(row.prevHash);
    if (usurper) {
      return {
        ok: false,
        kind: 'inserted',
        seq: usurper.seq,
        message: `row ${usurper.seq} (${describe(usurper)}) was inserted: row ${row.seq} links past it, to the row before it`,
      };
    }
    return broken(
      'removed',
      `does not follow the row before it (${this.lastSeq ?? 'the start of the chain'}): the row or rows it links to were removed (or replaced)`,
    );
  }

  private accept(row: ChainedDecision): void {
    this.follower.set(this.expected, row);
    if (this.follower.size > RECENT_LINKS) this.follower.delete(this.follower.keys().next().value as string);
    this.expected = row.hash as string;
    this.position++;
    this.rows++;
    this.lastSeq = row.seq;
    if (row.hash === this.trustedHead) this.trustedAt = this.position;
  }

  /** Every row fits its predecessor: the chain must now end where its record says, and pass through the trusted head. */
  end(state: ChainState): ChainVerdict {
    const fail = (kind: ChainBreakKind, seq: number | null, message: string): ChainVerdict => ({
      ok: false,
      kind,
      seq,
      message,
    });
    if (state.startHash !== this.start.startHash)
      return fail('record', null, 'the chain was pruned while it was verified: run verify again');
    if (this.position > state.length) {
      const after = this.follower.get(state.headHash);
      return after
        ? fail(
            'inserted',
            after.seq,
            `row ${after.seq} (${describe(after)}) was inserted after the head: the chain record counts ${state.length} rows, ending at the row before it`,
          )
        : fail(
            'record',
            null,
            `the chain record names a head no recent row has (${state.headHash}), and counts ${state.length} rows where the chain has ${this.position}: the record or the rows were rewritten`,
          );
    }
    if (this.position < state.length) {
      const missing = state.length - this.position;
      return fail(
        'removed',
        null,
        `the last ${missing === 1 ? 'row was' : `${missing} rows were`} removed: the chain record counts ${state.length} rows, the ledger ends after ${this.position}${this.lastSeq === undefined ? '' : ` (row ${this.lastSeq})`}`,
      );
    }
    if (this.expected !== state.headHash) {
      return fail(
        'record',
        this.lastSeq ?? null,
        `the chain ends in ${this.expected}, but its record names ${state.headHash} as the head: the last row was replaced, or the record was changed`,
      );
    }
    if (this.trustedHead !== undefined && this.trustedAt === undefined) {
      const pruned =
        state.startLength > 0
          ? `, or that row was pruned (the chain now starts after ${state.startLength} pruned rows: copy the head again after each prune)`
          : '';
      return fail(
        'not-trusted',
        null,
        `the trusted head ${this.trustedHead} is not in this chain: the ledger was rewritten${pruned}`,
      );
    }
    return { ok: true, state, rows: this.rows, ...(this.trustedAt === undefined ? {} : { trustedAt: this.trustedAt }) };
  }
}

function describe(row: ChainedDecision): string {
  return `interaction ${row.record.interactionId}, step ${row.record.step}, ${row.record.at.toISOString()}`;
}
