import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chainContent, chainHash, GENESIS_HASH } from '../../src/storage/ledger-chain.js';

describe('the canonical form docs/ledger.md gives', () => {
  it('is what the hook hashes: the worked example there comes out the same', () => {
    const docs = readFileSync(new URL('../../docs/ledger.md', import.meta.url), 'utf8');
    const hashed = /```\n(0{64}\{.*\})\n```/.exec(docs)![1]!;
    const documented = /to `([0-9a-f]{64})`/.exec(docs)![1]!;
    expect(createHash('sha256').update(hashed).digest('hex')).toBe(documented);
    const content = chainContent({
      interactionId: 'i-1',
      state: 'state-1',
      subject: 'user-1',
      step: 'terms',
      termsVersion: '2026-11',
      termsHash: 'a'.repeat(64),
      locale: 'en',
      decision: 'accepted',
      at: new Date('2026-01-10T10:00:00.000Z'),
      ip: null,
      userAgent: null,
      claims: { email: 'm@example.com' },
      evidence: null,
    });
    expect(`${GENESIS_HASH}${content}`).toBe(hashed);
    expect(chainHash(GENESIS_HASH, content)).toBe(documented);
  });
});
