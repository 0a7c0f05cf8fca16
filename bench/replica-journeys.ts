/**
 * Throughput and latency of whole journeys (arrival → step page → Accept → signed redirect) over
 * real HTTP, for each engine combination: SQLite with one process, PostgreSQL and PostgreSQL +
 * Redis with two replicas, requests alternating between them. Prints figures; asserts nothing.
 *
 *   npx tsx bench/replica-journeys.ts [journeys=1000] [concurrency=50]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { mintSessionToken, readReturnToken, type TenantIdentity } from '../src/simulator/tenant-tokens.js';
import { startHook, type RunningHook } from '../src/start-hook.js';
import { csrfFrom, HOOK_URL, TENANT_URL, withKey } from '../test/support/hook-fixture.js';
import { HttpBrowser } from '../test/support/http-browser.js';
import { replicaEnv } from '../test/support/replica-env.js';
import { engineSandbox, type TestEngine } from '../test/support/storage-engine.js';

const JOURNEYS = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 50);

async function measure(engine: TestEngine): Promise<void> {
  const sandbox = await engineSandbox(engine);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hook-bench-'));
  const secret = randomBytes(32).toString('base64');
  const env = { ...replicaEnv(sandbox, dataDir, secret), ARRIVAL_RATE_LIMIT: '0' };
  const count = engine === 'sqlite' ? 1 : 2;
  const replicas: RunningHook[] = [];
  for (let i = 0; i < count; i++) replicas.push(await startHook(env, pino({ level: 'silent' })));
  const identity: TenantIdentity = { tenantUrl: TENANT_URL, hookUrl: HOOK_URL, key: withKey(secret) };
  const base = (i: number) => {
    const replica = replicas[i % count];
    if (!replica) throw new Error(`no replica ${i % count}`);
    return `http://127.0.0.1:${replica.port}`;
  };

  const journeyMs: number[] = [];
  const requestMs: number[] = [];
  const timed = async <T>(work: Promise<T>): Promise<T> => {
    const start = performance.now();
    const result = await work;
    requestMs.push(performance.now() - start);
    return result;
  };
  const journey = async (i: number) => {
    const start = performance.now();
    const browser = new HttpBrowser();
    const { token, state } = await mintSessionToken(identity);
    const arrival = await timed(browser.get(base(i), `/callback?session_token=${token}`));
    const step = arrival.location;
    if (step === undefined) throw new Error(`the arrival answered ${arrival.status} without a redirect`);
    const page = await timed(browser.get(base(i + 1), step));
    const done = await timed(
      browser.post(base(i), step, { _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' }),
    );
    const returned = done.location === undefined ? null : new URL(done.location).searchParams.get('session_token');
    if (returned === null) throw new Error(`the step answered ${done.status} without a return token`);
    const outcome = await readReturnToken(identity, returned);
    if (outcome.state !== state) throw new Error('a journey came back with another state');
    journeyMs.push(performance.now() - start);
  };

  // Warm up connections, caches and the JIT before measuring.
  await Promise.all(Array.from({ length: 20 }, (_, i) => journey(i)));
  journeyMs.length = 0;
  requestMs.length = 0;

  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < JOURNEYS) await journey(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const rss = process.memoryUsage().rss / 2 ** 20;

  console.log(
    [
      engine.padEnd(15),
      `${count} replica${count > 1 ? 's' : ' '}`,
      `${(JOURNEYS / seconds).toFixed(0).padStart(5)} journeys/s`,
      `journey p50 ${pct(journeyMs, 50)} p95 ${pct(journeyMs, 95)} p99 ${pct(journeyMs, 99)} ms`,
      `request p50 ${pct(requestMs, 50)} p95 ${pct(requestMs, 95)} ms`,
      `rss ${rss.toFixed(0)} MiB`,
    ].join(' | '),
  );
  await Promise.all(replicas.map((r) => r.close()));
  await sandbox.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
}

function pct(values: number[], p: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(1).padStart(6);
}

console.log(
  `${JOURNEYS} journeys, ${CONCURRENCY} at a time, replicas and load generator in one Node process (${process.version})`,
);
for (const engine of ['sqlite', 'postgres', 'postgres+redis'] as const) await measure(engine);
