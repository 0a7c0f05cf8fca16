import { describe, expect, it } from 'vitest';
import { pooledRandom } from '../../src/web/pooled-random.js';

describe('pooledRandom', () => {
  it('never hands out the same bytes twice, across refills of the pool', () => {
    const draws = Array.from({ length: 2_000 }, () => pooledRandom(12).toString('hex'));
    expect(new Set(draws).size).toBe(draws.length);
    for (const draw of draws) expect(draw).toHaveLength(24);
  });

  it('answers a draw larger than the pool with as many bytes as asked', () => {
    const big = pooledRandom(10_000);
    expect(big).toHaveLength(10_000);
    expect(new Set(big).size).toBeGreaterThan(200);
  });
});
