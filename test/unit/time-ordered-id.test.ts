import { describe, expect, it } from 'vitest';
import { isInteractionId, isInteractionPath } from '../../src/interaction/interaction.js';
import { timeOrderedId } from '../../src/web/time-ordered-id.js';

describe('timeOrderedId', () => {
  it('sorts as the times it was made, whatever its random part', () => {
    const times = [0, 1, 15, 16, 255, 256, Date.UTC(2026, 10, 29), Date.UTC(2026, 10, 29) + 1, Date.UTC(2999, 0, 1)];
    const ids = times.map((t) => timeOrderedId(16, t));
    expect([...ids].sort()).toEqual(ids);
    // Byte order is what a database index uses.
    expect([...ids].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(ids);
  });

  it('carries the asked number of random bytes after 12 hex digits, and never repeats', () => {
    const ids = Array.from({ length: 10_000 }, () => timeOrderedId(16, 1_000));
    for (const id of ids.slice(0, 100)) expect(id).toMatch(/^0000000003e8[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(timeOrderedId(24)).toMatch(/^[0-9a-f]{12}[A-Za-z0-9_-]{32}$/);
  });
});

describe('interaction ids', () => {
  it('are time-ordered: an id without the time prefix is none', () => {
    expect(isInteractionId(timeOrderedId(16))).toBe(true);
    for (const bad of [
      '',
      'A'.repeat(22),
      'A'.repeat(21),
      'A'.repeat(23),
      `${'0'.repeat(12)}${'A'.repeat(21)}`,
      `${'G'.repeat(12)}${'A'.repeat(22)}`,
      `${'A'.repeat(21)}/`,
      `${'A'.repeat(21)}.`,
    ]) {
      expect(isInteractionId(bad), bad).toBe(false);
    }
  });

  it('make an interaction page path only under /interaction/', () => {
    const id = timeOrderedId(16);
    expect(isInteractionPath(`/interaction/${id}`)).toBe(true);
    expect(isInteractionPath(`/interaction/${id}/`)).toBe(false);
    expect(isInteractionPath(`/interactions/${id}`)).toBe(false);
    expect(isInteractionPath(`//evil.example/interaction/${id}`)).toBe(false);
    expect(isInteractionPath('/interaction/')).toBe(false);
  });
});
