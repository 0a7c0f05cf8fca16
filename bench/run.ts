import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { decodeHookSecret } from '../src/mattr/hook-secret.js';
import { baselineOperation, journey, JOURNEY_STEPS, newPool, newRecorder, type Recorder } from './journeys.js';
import { runLoad, type LoadOutcome } from './load.js';
import { freePort, ownCpuMs, sampleProcess, startServer, stopServer, waitUntilAnswering } from './processes.js';
import { round } from './samples.js';

/**
 * `npm run bench`: the hook as `npm start` runs it (built, NODE_ENV=production, SQLite in a fresh
 * DATA_DIR, logs at info to a file) in its own process, driven by complete journeys from this one;
 * then the bare baseline the same way. Prints the figures and writes them to bench/results/.
 */
const { values: opts } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    journeys: { type: 'string' },
    duration: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2000' },
    'baseline-duration': { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(`npm run bench -- [--concurrency 64] [--journeys N | --duration 20] [--warmup 2000]
                    [--baseline-duration 10 (0 skips it)] [--log-level info] [--cpu-prof]`);
  process.exit(0);
}
const concurrency = positive('concurrency', opts.concurrency);
const journeys = opts.journeys === undefined ? undefined : positive('journeys', opts.journeys);
const durationMs = positive('duration', opts.duration) * 1000;
const warmup = Number(opts.warmup);
const baselineMs = Number(opts['baseline-duration']) * 1000;

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = path.join(ROOT, 'bench', 'results');
const SERVER = path.join(ROOT, 'dist', 'server.js');
if (!existsSync(SERVER)) throw new Error('dist/server.js is missing: run `npm run build` (npm run bench does)');
mkdirSync(RESULTS, { recursive: true });

const TENANT_URL = 'https://tenant.vii.au01.mattr.global';
const secret = randomBytes(32).toString('base64');
// The tenant's side of the bench signs and verifies with a WebCrypto key: cheaper for jose, so the
// load generator takes less of the CPU the hook needs.
const key = await webcrypto.subtle.importKey('raw', decodeHookSecret(secret)!.export(), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const scratch = mkdtempSync(path.join(tmpdir(), 'hook-bench-'));

try {
  console.log(`interaction hook benchmark · node ${process.version} · ${cpus().length} CPUs · load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`concurrency ${concurrency} · ${journeys ? `${journeys} journeys` : `${durationMs / 1000} s`} after ${warmup} warm-up journeys\n`);
  const hook = await measureHook();
  const baseline = baselineMs > 0 ? await measureBaseline() : null;
  const report = { at: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: loadavg(), concurrency, warmup, hook, baseline, ratio: baseline ? round(hook.journeysPerSecond / baseline.operationsPerSecond, 3) : null };
  printReport(report);
  const file = path.join(RESULTS, `bench-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nresults   ${path.relative(ROOT, file)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

async function measureHook() {
  const port = await freePort();
  const hookUrl = `http://127.0.0.1:${port}/callback`;
  const dataDir = path.join(scratch, 'data');
  const logFile = path.join(scratch, 'hook.log');
  const profiles = path.join(RESULTS, `profiles-${stamp}`);
  const args = opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profiles, SERVER] : [SERVER];
  const child = startServer(args, serverEnv(hookUrl, port, { DATA_DIR: dataDir, ARRIVAL_RATE_LIMIT: '0', LOG_LEVEL: opts['log-level'] }), logFile);
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/`, child);
    const identity = { tenantUrl: TENANT_URL, hookUrl, key };
    const pool = newPool(`http://127.0.0.1:${port}`, concurrency);
    await runLoad(() => journey(pool, identity, '/callback', null), { concurrency, operations: warmup });

    const rec = newRecorder(JOURNEY_STEPS);
    const rss: Array<{ journeys: number; rssMb: number }> = [];
    const before = sampleProcess(child.pid!);
    const clientCpuBefore = ownCpuMs();
    const outcome = await runLoad(() => journey(pool, identity, '/callback', rec), {
      concurrency,
      operations: journeys,
      durationMs,
      onTick: (completed) => rss.push({ journeys: completed, rssMb: round(sampleProcess(child.pid!).rssMb, 1) }),
    });
    const after = sampleProcess(child.pid!);
    const clientCpuMs = ownCpuMs() - clientCpuBefore;
    await pool.close();
    const exitCode = await stopServer(child);
    return {
      ...figures(outcome, rec),
      journeysPerSecond: perSecond(outcome),
      requestsPerSecond: round((rec.requests.count * 1000) / outcome.elapsedMs, 1),
      byStep: Object.fromEntries(Object.entries(rec.steps).map(([step, samples]) => [step, samples.summary()])),
      server: {
        peakRssMb: round(after.peakRssMb, 1),
        rssAfterWarmupMb: round(before.rssMb, 1),
        rssAtEndMb: round(after.rssMb, 1),
        rssFlatness: flatness(rss, outcome.completed),
        cpuMsPerJourney: round((after.cpuMs - before.cpuMs) / Math.max(1, outcome.completed), 3),
        exitCode,
        ledgerRows: ledgerRows(path.join(dataDir, 'hook.db')),
        logBytes: statSync(logFile).size,
      },
      loadGenerator: { cpuMsPerJourney: round(clientCpuMs / Math.max(1, outcome.completed), 3) },
      rssSeries: rss,
      profiles: opts['cpu-prof'] ? path.relative(ROOT, profiles) : undefined,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

async function measureBaseline() {
  const port = await freePort();
  const hookUrl = `http://127.0.0.1:${port}/callback`;
  const child = startServer(['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts')], serverEnv(hookUrl, port, {}), path.join(scratch, 'baseline.log'));
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/`, child);
    const identity = { tenantUrl: TENANT_URL, hookUrl, key };
    const pool = newPool(`http://127.0.0.1:${port}`, concurrency);
    await runLoad(() => baselineOperation(pool, identity, null), { concurrency, operations: Math.min(warmup, 1000) });
    const rec = newRecorder(['verify+sign']);
    const outcome = await runLoad(() => baselineOperation(pool, identity, rec), { concurrency, durationMs: baselineMs });
    await pool.close();
    await stopServer(child);
    return { ...figures(outcome, rec), operationsPerSecond: perSecond(outcome) };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function serverEnv(hookUrl: string, port: number, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOOK_URL: hookUrl,
    MATTR_TENANT_URL: TENANT_URL,
    INTERACTION_HOOK_SECRET: secret,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: String(port),
    ...extra,
  };
}

function figures(outcome: LoadOutcome, rec: Recorder) {
  return {
    completed: outcome.completed,
    failed: outcome.failed,
    errors: outcome.errors,
    seconds: round(outcome.elapsedMs / 1000),
    perRequest: rec.requests.summary(),
    perOperation: rec.operations.summary(),
  };
}

function perSecond(outcome: LoadOutcome): number {
  return round((outcome.completed * 1000) / outcome.elapsedMs, 1);
}

/** RSS from the point 10 % of the journeys were done, against that point: flat means every later sample is within ±10 %. */
function flatness(series: Array<{ journeys: number; rssMb: number }>, total: number) {
  const from = series.find((s) => s.journeys >= total * 0.1);
  if (!from) return null;
  const later = series.filter((s) => s.journeys >= from.journeys).map((s) => s.rssMb);
  const lowest = Math.min(...later);
  const highest = Math.max(...later);
  const drift = (100 * (later[later.length - 1]! - from.rssMb)) / from.rssMb;
  const worst = Math.max(Math.abs(highest - from.rssMb), Math.abs(lowest - from.rssMb));
  return { referenceMb: from.rssMb, atJourneys: from.journeys, lowestMb: lowest, highestMb: highest, driftPercent: round(drift, 1), worstDeviationPercent: round((100 * worst) / from.rssMb, 1) };
}

function ledgerRows(file: string): number | null {
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function printReport(r: { hook: Awaited<ReturnType<typeof measureHook>>; baseline: Awaited<ReturnType<typeof measureBaseline>> | null; ratio: number | null; warmup: number }) {
  const { hook, baseline } = r;
  const lat = (s: { p50: number; p95: number; p99: number; max: number }) => `p50 ${s.p50} ms · p95 ${s.p95} ms · p99 ${s.p99} ms · max ${s.max} ms`;
  console.log(`hook      ${hook.journeysPerSecond} journeys/s (${hook.requestsPerSecond} requests/s) · ${hook.completed} completed in ${hook.seconds} s · ${hook.failed} failed`);
  console.log(`          per request  ${lat(hook.perRequest)}`);
  console.log(`          per journey  ${lat(hook.perOperation)}`);
  for (const [step, s] of Object.entries(hook.byStep)) console.log(`          ${step.padEnd(11)}  ${lat(s)}`);
  const f = hook.server.rssFlatness;
  console.log(`          server: peak RSS ${hook.server.peakRssMb} MB · RSS ${hook.server.rssAfterWarmupMb} MB after warm-up → ${hook.server.rssAtEndMb} MB at end${f ? ` · from ${f.atJourneys} journeys: ${f.lowestMb}–${f.highestMb} MB (worst ${f.worstDeviationPercent} %)` : ''}`);
  console.log(`          server CPU ${hook.server.cpuMsPerJourney} ms/journey · load generator CPU ${hook.loadGenerator.cpuMsPerJourney} ms/journey · ledger rows ${hook.server.ledgerRows} · exit code ${hook.server.exitCode}`);
  if (hook.failed > 0) console.log(`          errors: ${JSON.stringify(hook.errors)}`);
  if (baseline) {
    console.log(`baseline  ${baseline.operationsPerSecond} verify+sign/s · ${baseline.failed} failed · per request ${lat(baseline.perRequest)}`);
    console.log(`ratio     ${r.ratio} complete journeys per baseline operation`);
  }
  const yes = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(`targets   ≥ 1000 journeys/s: ${yes(hook.journeysPerSecond >= 1000)} · p99 per request ≤ 50 ms: ${yes(hook.perRequest.p99 <= 50)} · RSS within ±10 %: ${f ? yes(f.worstDeviationPercent <= 10) : 'run longer'} · no errors: ${yes(hook.failed === 0)}`);
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of 1 or more, got "${value}"`);
  return n;
}
