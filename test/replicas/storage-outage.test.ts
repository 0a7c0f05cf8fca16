import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { StorageUnavailableError } from '../../src/storage/storage-unavailable.js';
import { csrfFrom, hookFixture, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { OwnRedisServer } from '../support/own-redis-server.js';
import { engineSandbox, TEST_DATABASE_URL, TEST_ENGINE, type EngineSandbox } from '../support/storage-engine.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/**
 * The storage goes away (or hangs) while the hook runs, and comes back. PostgreSQL is reached
 * through a relay this test can cut or freeze; Redis is a server of this test's own that it stops
 * or suspends. Nothing shared is stopped.
 */
let proxy: TcpProxy;
let redis: OwnRedisServer | undefined;
let sandbox: EngineSandbox;
let hook: HookFixture;

beforeEach(async () => {
  const target = new URL(TEST_DATABASE_URL);
  proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
  redis = TEST_ENGINE === 'postgres+redis' ? await OwnRedisServer.start() : undefined;
  sandbox = await engineSandbox(TEST_ENGINE, { databaseUrl: proxy.url(TEST_DATABASE_URL), redisUrl: redis?.url });
  hook = await hookFixture(sandbox.env);
});
afterEach(async () => {
  redis?.thaw();
  await proxy?.restore();
  await hook?.close();
  await proxy?.close();
  await redis?.close();
  await sandbox?.cleanup();
});

async function arrive() {
  const browser = hook.browser();
  const { token, state } = await hook.mint();
  const arrival = await browser.get(`/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const page = await browser.get(arrival.headers.location!);
  expect(page.status).toBe(200);
  return { browser, state, path: arrival.headers.location!, csrf: csrfFrom(page.text) };
}

/** Readiness, as a load balancer would poll it, until the storage answers again. */
async function untilReady(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (
      await hook.storage.ping().then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error('the storage did not come back within 10 s');
}

async function ledgerStates(): Promise<string[]> {
  const states: string[] = [];
  for await (const row of hook.storage.ledger.decisions()) states.push(row.state);
  return states;
}

const outages = TEST_ENGINE === 'postgres+redis' ? (['PostgreSQL', 'Redis'] as const) : (['PostgreSQL'] as const);

describe.each(outages)(`on ${TEST_ENGINE}, when %s goes away`, (engine) => {
  const stop = () => (engine === 'Redis' ? redis!.stop() : proxy.cut());
  const start = () => (engine === 'Redis' ? redis!.restart() : proxy.restore());
  /** Whether the step pages themselves need the engine that is away (they need the sessions). */
  const pagesNeedIt = engine === 'Redis' || TEST_ENGINE === 'postgres';

  it('fails closed with clear 503 pages, never a redirect, and resumes by itself when it is back', async () => {
    const before = await arrive();
    await stop();

    await expect(hook.storage.ping()).rejects.toBeInstanceOf(StorageUnavailableError);

    const answer = await before.browser
      .post(before.path)
      .type('form')
      .send({ _csrf: before.csrf, accept_terms: 'yes', decision: 'accept' });
    expect(answer.status).toBe(503);
    expect(answer.headers.location).toBeUndefined();
    expect(answer.headers['retry-after']).toBe('5');
    expect(answer.text).toContain('We could not save your answer just now');

    const page = await before.browser.get(before.path);
    expect(page.status).toBe(pagesNeedIt ? 503 : 200);
    if (pagesNeedIt) expect(page.text).toContain('We cannot reach our records just now');

    const during = await hook.mint();
    const arrival = await hook.browser().get(`/callback?session_token=${during.token}`);
    expect(arrival.status).toBe(503);
    expect(arrival.headers.location).toBeUndefined();
    expect(arrival.text).toContain('your link still works');
    expect(await ledgerStates().catch(() => [])).toEqual([]);

    await start();
    await untilReady();

    // The journey begun before the outage finishes, once.
    const done = await before.browser
      .post(before.path)
      .type('form')
      .send({ _csrf: before.csrf, accept_terms: 'yes', decision: 'accept' });
    expect(done.status).toBe(303);
    const outcome = await readReturnToken(
      hook.simulator.identity,
      new URL(done.headers.location!).searchParams.get('session_token')!,
      hook.clock.now(),
    );
    expect(outcome).toMatchObject({ kind: 'success', state: before.state });

    // The link refused during the outage was not spent: it works now.
    const browser = hook.browser();
    const retried = await browser.get(`/callback?session_token=${during.token}`);
    expect(retried.status).toBe(303);
    const retriedPage = await browser.get(retried.headers.location!);
    const retriedDone = await browser
      .post(retried.headers.location!)
      .type('form')
      .send({ _csrf: csrfFrom(retriedPage.text), decision: 'decline' });
    expect(new URL(retriedDone.headers.location!).origin).toBe(TENANT_URL);

    // Every redirect to the tenant has its decision, and nothing else was decided.
    expect((await ledgerStates()).sort()).toEqual([before.state, during.state].sort());
    const logs = hook.logs.join('\n');
    expect(logs).toContain('storage_unavailable');
    expect(logs).not.toContain(during.token);
  });
});

const hangs = TEST_ENGINE === 'postgres+redis' ? (['Redis'] as const) : (['PostgreSQL'] as const);

describe.each(hangs)(`on ${TEST_ENGINE}, when %s stops answering but keeps its connections`, (engine) => {
  it('gives up after its timeout with the same 503 page, and resumes when it answers again', async () => {
    const before = await arrive();
    if (engine === 'Redis') redis!.freeze();
    else proxy.freeze();

    // Without timeouts this would wait for ever (and the test would time out).
    const answer = await before.browser
      .post(before.path)
      .type('form')
      .send({ _csrf: before.csrf, accept_terms: 'yes', decision: 'accept' });
    expect(answer.status).toBe(503);
    expect(answer.headers.location).toBeUndefined();

    if (engine === 'Redis') redis!.thaw();
    else await proxy.restore();
    await untilReady();

    const done = await before.browser
      .post(before.path)
      .type('form')
      .send({ _csrf: before.csrf, accept_terms: 'yes', decision: 'accept' });
    expect(done.status).toBe(303);
    expect(await ledgerStates()).toEqual([before.state]);
  }, 40_000);
});

/** The engine that keeps the arrival counts: Redis when it keeps the sessions, else PostgreSQL. */
const counter = TEST_ENGINE === 'postgres+redis' ? 'Redis' : 'PostgreSQL';

describe(`on ${TEST_ENGINE}, when ${counter}, which counts arrivals, fails`, () => {
  const arrival = async () => hook.browser().get(`/callback?session_token=${(await hook.mint()).token}`);

  it.each(['goes away', 'stops answering'] as const)(
    '%s: an arrival over the limit is let past it (to the usual 503, not a 429 or 500), and counted again once it is back',
    async (failure) => {
      await hook.close();
      hook = await hookFixture({ ...sandbox.env, ARRIVAL_RATE_LIMIT: '1' });
      expect((await arrival()).status).toBe(303);
      expect((await arrival()).status).toBe(429);

      if (failure === 'stops answering') {
        if (counter === 'Redis') redis!.freeze();
        else proxy.freeze();
      } else if (counter === 'Redis') await redis!.stop();
      else await proxy.cut();

      // The limiter could not count it, so it let it in; the arrival then needs the same engine.
      const during = await arrival();
      expect(during.status).toBe(503);
      expect(during.headers.location).toBeUndefined();
      expect(during.text).toContain('your link still works');
      expect(hook.logs.join('\n')).toContain('allowing request without rate-limiting');

      if (counter === 'Redis') {
        redis!.thaw();
        await redis!.restart();
      } else await proxy.restore();
      await untilReady();
      // The count kept through the outage stands (Redis reloads its script by itself).
      const after = await arrival();
      expect(after.status).toBe(429);
      expect(Number(after.headers['retry-after'])).toBeGreaterThan(0);
    },
    40_000,
  );
});
