import { once } from 'node:events';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintSessionToken, readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { startTwoWorkers, TENANT_URL, type TwoWorkers } from '../support/two-workers.js';

/**
 * The real server with WORKERS=2 on one SQLite file, driven over a new connection per request so
 * that the primary hands requests to both workers in turn. No SESSION_SECRET: the workers must
 * agree on the one kept in DATA_DIR. Logs at debug, so that scrapes show which worker served them.
 */
const RACERS = 16;
const JOURNEYS = 6;
const SCRAPES = 6;
const UNAVAILABLE = 'The metrics of every worker could not be gathered; try again.\n';

let hook: TwoWorkers;

beforeAll(async () => {
  hook = await startTwoWorkers({ ARRIVAL_RATE_LIMIT: '0', LOG_LEVEL: 'debug' });
  const listening = hook.lines.filter((l) => l.msg === 'interaction hook listening');
  expect(listening.map((l) => l.worker).sort()).toEqual([1, 2]);
}, 60_000);

afterAll(() => hook?.cleanup());

/** One sample's value from the exposition text, e.g. value(text, 'hook_journeys_started_total'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function arriveAndRead(): Promise<{ step: string; cookie: string; csrf: string; state: string }> {
  const { token, state } = await mintSessionToken(hook.tenant);
  const arrival = await hook.send('GET', `/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const page = await hook.send('GET', arrival.location!, arrival.cookie);
  expect(page.status).toBe(200);
  return {
    step: arrival.location!,
    cookie: arrival.cookie!,
    csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!,
    state,
  };
}

it('counts the journeys of both workers in every scrape, whichever worker answers it', async () => {
  for (let i = 0; i < JOURNEYS; i++) {
    const { token } = await mintSessionToken(hook.tenant);
    expect((await hook.send('GET', `/callback?session_token=${token}`)).status).toBe(303);
  }
  expect(hook.workersServing('GET', '/callback', 303)).toEqual(new Set([1, 2]));

  const scrapes = [];
  for (let i = 0; i < SCRAPES; i++) scrapes.push(await hook.send('GET', '/metrics'));
  for (const scrape of scrapes) {
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(value(scrape.text, 'hook_journeys_started_total')).toBe(JOURNEYS);
    expect(
      value(scrape.text, 'hook_http_request_duration_seconds_count{method="GET",route="/callback",status="303"}'),
    ).toBe(JOURNEYS);
    // Process figures summed (CPU) or averaged (event-loop lag) over the workers, per prom-client.
    expect(scrape.text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(scrape.text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  }
  expect(hook.workersServing('GET', '/metrics', 200)).toEqual(new Set([1, 2]));
});

it('answers 503 with no figures while a worker cannot answer, and all of them once it can', async () => {
  const [stopped] = hook.workerPids();
  expect(hook.workerPids()).toHaveLength(2);
  process.kill(stopped!, 'SIGSTOP');
  let scrapes: Promise<{ status: number; text: string }>[];
  try {
    // The stopped worker may be handed one of these connections; the other goes to the live one,
    // whose primary waits its 5 s for the stopped worker and gives up.
    scrapes = [hook.send('GET', '/metrics'), hook.send('GET', '/metrics')];
    const first = await Promise.race(scrapes);
    expect(first.status).toBe(503);
    expect(first.text).toBe(UNAVAILABLE);
  } finally {
    process.kill(stopped!, 'SIGCONT');
  }
  for (const scrape of await Promise.all(scrapes)) {
    if (scrape.status === 503) expect(scrape.text).toBe(UNAVAILABLE);
    else expect(value(scrape.text, 'hook_journeys_started_total')).toBe(JOURNEYS);
  }
  // The primary says why: prom-client's own time limit.
  expect(hook.lines.find((l) => l.msg === 'metrics could not be gathered from every worker')).toMatchObject({
    err: { message: 'Operation timed out.' },
  });

  const after = await hook.send('GET', '/metrics');
  expect(after.status).toBe(200);
  expect(value(after.text, 'hook_journeys_started_total')).toBe(JOURNEYS);
});

it('serves one journey across both workers: the session made by one is read by the other', async () => {
  const { step, cookie, csrf, state } = await arriveAndRead();
  const done = await hook.send('POST', step, cookie, {
    _csrf: csrf,
    step: 'terms',
    accept_terms: 'yes',
    decision: 'accept',
  });
  expect(done.status).toBe(303);
  const outcome = await readReturnToken(hook.tenant, new URL(done.location!).searchParams.get('session_token')!);
  expect(outcome).toMatchObject({ kind: 'success', state });
  // Arrival, page and answer went to alternate workers.
  expect(
    new Set([
      ...hook.workersServing('GET', '/callback'),
      ...hook.workersServing('GET', step),
      ...hook.workersServing('POST', step),
    ]),
  ).toEqual(new Set([1, 2]));
});

it('lets a token in only once, however many connections race with it to both workers', async () => {
  // The primary hands a connection only to a worker that is free, so one race may all land on one
  // worker (say, while the other catches up after the test above stopped it): race fresh tokens
  // until both workers have refused a copy. Every race must let its token in exactly once.
  const refusedBy = () => hook.workersServing('GET', '/callback', 409);
  for (let round = 0; round < 10 && refusedBy().size < 2; round++) {
    const refusedBefore = hook.lines.filter((l) => l.req?.path === '/callback' && l.res?.statusCode === 409).length;
    const { token } = await mintSessionToken(hook.tenant);
    const replies = await Promise.all(
      Array.from({ length: RACERS }, () => hook.send('GET', `/callback?session_token=${token}`)),
    );
    expect(replies.filter((r) => r.status === 303)).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409)).toHaveLength(RACERS - 1);
    // A worker's log line may reach us after its answer did.
    await until(
      () =>
        hook.lines.filter((l) => l.req?.path === '/callback' && l.res?.statusCode === 409).length >=
        refusedBefore + RACERS - 1,
    );
  }
  expect(refusedBy()).toEqual(new Set([1, 2]));
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

it('records one decision and sends one redirect back when both workers get the same answer at once', async () => {
  // As above: journeys are raced until one's answers reached both workers; each must hold.
  let servedBy = new Set<number | undefined>();
  for (let round = 0; round < 10 && servedBy.size < 2; round++) {
    const { step, cookie, csrf, state } = await arriveAndRead();
    const form = { _csrf: csrf, step: 'terms', accept_terms: 'yes', decision: 'accept' };
    const replies = await Promise.all(Array.from({ length: RACERS }, () => hook.send('POST', step, cookie, form)));
    // Every racer is sent to the tenant with the one token: whichever answer the browser keeps is right.
    const back = replies.filter((r) => r.location?.startsWith(TENANT_URL));
    expect(back).toHaveLength(RACERS);
    expect(new Set(back.map((r) => r.location)).size).toBe(1);

    const db = new Database(path.join(hook.dataDir, 'hook.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT decision FROM decisions WHERE state = ?').all(state)).toEqual([
        { decision: 'accepted' },
      ]);
    } finally {
      db.close();
    }
    await until(
      () =>
        hook.lines.filter((l) => l.req?.method === 'POST' && l.req.path === step && l.res !== undefined).length >=
        RACERS,
    );
    servedBy = hook.workersServing('POST', step);
  }
  expect(servedBy).toEqual(new Set([1, 2]));
});

it('stops both workers gracefully on SIGTERM and exits 0', async () => {
  hook.server.kill('SIGTERM');
  const [code] = (await once(hook.server, 'exit')) as [number | null];
  expect(code).toBe(0);
  expect(
    hook.lines
      .filter((l) => l.msg === 'interaction hook stopped')
      .map((l) => l.worker)
      .sort(),
  ).toEqual([1, 2]);
});

describe('with ARRIVAL_RATE_LIMIT', () => {
  const LIMIT = 4;
  let limited: TwoWorkers;
  beforeAll(async () => {
    limited = await startTwoWorkers({ ARRIVAL_RATE_LIMIT: String(LIMIT) });
  }, 60_000);
  afterAll(() => limited?.cleanup());

  it('refuses the arrival after the limit from one address with 429, whichever worker serves it', async () => {
    const arrive = async () =>
      limited.send('GET', `/callback?session_token=${(await mintSessionToken(limited.tenant)).token}`);
    const allowed = [];
    for (let i = 0; i < LIMIT; i++) allowed.push(await arrive());
    expect(allowed.map((r) => r.status)).toEqual(Array.from({ length: LIMIT }, () => 303));
    expect(limited.workersServing('GET', '/callback', 303)).toEqual(new Set([1, 2]));

    // Counted per worker, each would still let in LIMIT / 2 more.
    const refused = [];
    for (let i = 0; i < LIMIT; i++) refused.push(await arrive());
    for (const reply of refused) {
      expect(reply.status).toBe(429);
      expect(Number(reply.headers['retry-after'])).toBeGreaterThan(0);
    }
    expect(limited.workersServing('GET', '/callback', 429)).toEqual(new Set([1, 2]));
  });
});
