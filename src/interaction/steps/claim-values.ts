/** The most a collected claim may take, as JSON: every claim counts towards the URL back to the tenant. */
export const COLLECTED_MAX = 200;

function isPlain(value: unknown): value is string | number | boolean {
  return (typeof value === 'string' && value !== '') || typeof value === 'number' || typeof value === 'boolean';
}

/** Two claim values for `matchClaim`: plain and equal; strings under `ignore-case` once folded. */
export function sameClaim(expected: unknown, actual: unknown, compare: 'exact' | 'ignore-case'): boolean {
  if (!isPlain(expected)) return false;
  if (compare === 'ignore-case' && typeof expected === 'string' && typeof actual === 'string')
    return folded(expected) === folded(actual) && folded(expected) !== '';
  return expected === actual;
}

function folded(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase();
}

/** A value small and plain enough to pass on: a primitive or an array of them, at most COLLECTED_MAX as JSON. */
export function fits(value: unknown): boolean {
  const plain = isPlain(value) || (Array.isArray(value) && value.every(isPlain));
  return plain && JSON.stringify(value).length <= COLLECTED_MAX;
}
