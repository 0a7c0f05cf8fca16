import { createHash } from 'node:crypto';

/**
 * The hash chain recomputed from an export alone, as a third party would from docs/ledger.md:
 * written from that text, not from the product's code, so that the two can disagree.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(object[key])}`)
    .join(',')}}`;
}

/** The hash each exported line should carry: SHA-256 of its prevHash followed by its other fields, canonical. */
export function expectedHash(line: Record<string, unknown>): string {
  const { prevHash, hash: _hash, ...content } = line;
  return createHash('sha256')
    .update(`${String(prevHash)}${canonical(content)}`, 'utf8')
    .digest('hex');
}

/** The lines of a JSON lines export. */
export function exportLines(out: string): Array<Record<string, unknown>> {
  return out
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Checks an export as a chain starting from `start` (64 zeros for a ledger never pruned): every
 * line links to the one before and carries the hash its content gives. Returns the head.
 */
export function recomputeChain(lines: ReadonlyArray<Record<string, unknown>>, start = '0'.repeat(64)): string {
  let head = start;
  for (const [i, line] of lines.entries()) {
    if (line.prevHash !== head) throw new Error(`line ${i + 1} links to ${String(line.prevHash)}, not to ${head}`);
    const hash = expectedHash(line);
    if (line.hash !== hash) throw new Error(`line ${i + 1} carries ${String(line.hash)}, its content gives ${hash}`);
    head = hash;
  }
  return head;
}
