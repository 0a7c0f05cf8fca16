import { once } from 'node:events';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mintSessionToken, readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { startTwoWorkers, TENANT_URL, type TwoWorkers } from '../support/two-workers.js';

/**
 * The real server with WORKERS=2 on one SQLite file, driven over a new connection per request so
 * that the primary hands requests to both workers in turn. No SESSION_SECRET: the workers must
 * agree on the one kept in DATA_DIR.
 */
const RACERS = 16;

let hook: TwoWorkers;

beforeAll(async () => {
  hook = await startTwoWorkers({ ARRIVAL_RATE_LIMIT: '0' });
  const listening = hook.lines.filter((l) => l.msg === 'interaction hook listening');
  expect(listening.map((l) => l.worker).sort()).toEqual([1, 2]);
}, 60_000);

afterAll(() => hook?.cleanup());

async function arriveAndRead(): Promise<{ step: string; cookie: string; csrf: string; state: string }> {
  const { token, state } = await mintSessionToken(hook.tenant);
  const arrival = await hook.send('GET', `/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const page = await hook.send('GET', arrival.location!, arrival.cookie);
  expect(page.status).toBe(200);
  return { step: arrival.location!, cookie: arrival.cookie!, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!, state };
}

it('serves one journey across both workers: the session made by one is read by the other', async () => {
  const { step, cookie, csrf, state } = await arriveAndRead();
  const done = await hook.send('POST', step, cookie, { _csrf: csrf, step: 'terms', accept_terms: 'yes', decision: 'accept' });
  expect(done.status).toBe(303);
  const outcome = await readReturnToken(hook.tenant, new URL(done.location!).searchParams.get('session_token')!);
  expect(outcome).toMatchObject({ kind: 'success', state });
  // Arrival, page and answer went to alternate workers.
  expect(new Set([...hook.workersServing('GET', '/callback'), ...hook.workersServing('GET', step), ...hook.workersServing('POST', step)])).toEqual(new Set([1, 2]));
});

it('lets a token in only once, however many connections race with it to both workers', async () => {
  const { token } = await mintSessionToken(hook.tenant);
  const replies = await Promise.all(Array.from({ length: RACERS }, () => hook.send('GET', `/callback?session_token=${token}`)));
  expect(replies.filter((r) => r.status === 303)).toHaveLength(1);
  expect(replies.filter((r) => r.status === 409)).toHaveLength(RACERS - 1);
  expect(hook.workersServing('GET', '/callback', 409)).toEqual(new Set([1, 2]));
});

it('records one decision and sends one redirect back when both workers get the same answer at once', async () => {
  const { step, cookie, csrf, state } = await arriveAndRead();
  const form = { _csrf: csrf, step: 'terms', accept_terms: 'yes', decision: 'accept' };
  const replies = await Promise.all(Array.from({ length: RACERS }, () => hook.send('POST', step, cookie, form)));
  const back = replies.filter((r) => r.location?.startsWith(TENANT_URL));
  expect(back).toHaveLength(1);
  expect(replies.filter((r) => !r.location?.startsWith(TENANT_URL)).every((r) => r.status === 409 || (r.status === 303 && r.location === step))).toBe(true);
  expect(hook.workersServing('POST', step)).toEqual(new Set([1, 2]));

  const db = new Database(path.join(hook.dataDir, 'hook.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT decision FROM decisions WHERE state = ?').all(state)).toEqual([{ decision: 'accepted' }]);
  } finally {
    db.close();
  }
});

it('stops both workers gracefully on SIGTERM and exits 0', async () => {
  hook.server.kill('SIGTERM');
  const [code] = (await once(hook.server, 'exit')) as [number | null];
  expect(code).toBe(0);
  expect(hook.lines.filter((l) => l.msg === 'interaction hook stopped').map((l) => l.worker).sort()).toEqual([1, 2]);
});
