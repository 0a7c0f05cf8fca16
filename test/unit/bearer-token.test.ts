import { describe, expect, it } from 'vitest';
import { bearerMatches } from '../../src/ops/bearer-token.js';

describe('bearerMatches', () => {
  const expected = 'metrics-token-0123456789';
  it('accepts exactly "Bearer <token>" (scheme in any case)', () => {
    expect(bearerMatches(`Bearer ${expected}`, expected)).toBe(true);
    expect(bearerMatches(`bearer ${expected}`, expected)).toBe(true);
  });
  it('refuses a missing header, another scheme, a prefix, a longer token or an empty one', () => {
    for (const header of [
      undefined,
      '',
      expected,
      `Basic ${expected}`,
      `Bearer ${expected.slice(0, -1)}`,
      `Bearer ${expected}0`,
      'Bearer ',
      `Bearer ${expected} extra`,
    ]) {
      expect(bearerMatches(header, expected)).toBe(false);
    }
  });
});
