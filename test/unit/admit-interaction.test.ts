import { describe, expect, it } from 'vitest';
import {
  admitInteraction,
  MAX_INTERACTIONS_PER_SESSION,
  startInteraction,
  type Interaction,
} from '../../src/interaction/interaction.js';

const arrival = {
  state: 's',
  redirectUrl: 'https://tenant.example/back',
  claims: {},
  subject: null,
  replayKey: 'k',
  expiresAt: new Date(),
};

function interactions(count: number, at: number, status: Interaction['status'] = 'active'): Interaction[] {
  return Array.from({ length: count }, (_, i) => ({ ...startInteraction(arrival, new Date(at + i), 1200), status }));
}

describe(`a session holds at most ${MAX_INTERACTIONS_PER_SESSION} interactions`, () => {
  it('lets finished ones go first, then the oldest, and never refuses the newest arrival', () => {
    const now = new Date(10_000);
    const finished = interactions(3, 1_000, 'completed');
    const open = interactions(MAX_INTERACTIONS_PER_SESSION - 1, 2_000);
    let held: Record<string, Interaction> | undefined;
    for (const i of [...finished, ...open]) held = admitInteraction(held, i, now);
    // 3 finished + 9 open = 12 > 10: the two oldest finished ones went.
    expect(Object.keys(held!)).toEqual([finished[2]!.id, ...open.map((i) => i.id)]);

    const [newer, newest] = interactions(2, 5_000);
    held = admitInteraction(held, newer!, now); // the last finished one goes
    held = admitInteraction(held, newest!, now); // now the oldest open one goes
    expect(Object.keys(held)).toEqual([...open.slice(1).map((i) => i.id), newer!.id, newest!.id]);
  });
});
