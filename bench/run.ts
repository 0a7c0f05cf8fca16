import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { decodeHookSecret } from '../src/mattr/hook-secret.js';
import { processEnvironment } from '../src/config/load-configuration.js';
import { baselineOperation, journey, JOURNEY_STEPS, newPool, newRecorder, type Recorder } from './journeys.js';
import type { TenantIdentity } from '../src/simulator/tenant-tokens.js';
import { runLoad } from './load.js';
import { freePort, ownCpuMs, pidOf, sampleProcess, startServer, stopServer, waitUntilAnswering } from './processes.js';
import { figures, flatness, printReport, type Report, type RssSample } from './report.js';
import { round } from './samples.js';
import { printSoakHeader, printSoakSummary, SOAK_NODE_OPTIONS, SoakSampler, soakSummary } from './soak.js';

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
    'ceiling-duration': { type: 'string', default: '10' },
    'log-level': { type: 'string', default: 'info' },
    'cpu-prof': { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    'node-option': { type: 'string', multiple: true, default: [] },
    server: { type: 'string' },
    soak: { type: 'string' },
    'sample-every': { type: 'string', default: '30' },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(`npm run bench -- [--concurrency 64] [--journeys N | --duration 20] [--warmup 2000]
                    [--baseline-duration 10 (0 skips it)] [--ceiling-duration 10 (0 skips both ceilings)]
                    [--log-level info] [--cpu-prof] [--workers 1]
                    [--node-option=--flag ...] (for the hook's node process)
                    [--server path/to/dist/server.js] (another build, e.g. an earlier commit's)
                    [--soak 600 [--sample-every 30]] (the hook alone for that many seconds, its
                      memory sampled as found and after a full garbage collection)`);
  process.exit(0);
}
const concurrency = whole('concurrency', opts.concurrency, 1);
const journeys = opts.journeys === undefined ? undefined : whole('journeys', opts.journeys, 1);
const soakSeconds = opts.soak === undefined ? undefined : whole('soak', opts.soak, 1);
const sampleEvery = whole('sample-every', opts['sample-every'], 1);
const durationMs = (soakSeconds ?? whole('duration', opts.duration, 1)) * 1000;
const warmup = whole('warmup', opts.warmup, 0);
// A soak measures the hook's memory over time, not its speed against the bare servers.
const baselineMs = soakSeconds === undefined ? whole('baseline-duration', opts['baseline-duration'], 0) * 1000 : 0;
const ceilingMs = soakSeconds === undefined ? whole('ceiling-duration', opts['ceiling-duration'], 0) * 1000 : 0;
const workers = whole('workers', opts.workers, 1);
if (soakSeconds !== undefined && (workers > 1 || journeys !== undefined))
  throw new Error('--soak measures one process for a time: without --workers or --journeys');

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = path.join(ROOT, 'bench', 'results');
const SERVER = path.resolve(opts.server ?? path.join(ROOT, 'dist', 'server.js'));
if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` (npm run bench does)`);
mkdirSync(RESULTS, { recursive: true });

const TENANT_URL = 'https://tenant.vii.au01.mattr.global';
const secret = randomBytes(32).toString('base64');
// The tenant's side signs and verifies with a WebCrypto key: cheaper for jose, so the load
// generator takes less of the CPU the hook needs.
const secretKey = decodeHookSecret(secret);
if (!secretKey) throw new Error('the generated hook secret does not decode');
const key = await webcrypto.subtle.importKey('raw', secretKey.export(), { name: 'HMAC', hash: 'SHA-256' }, false, [
  'sign',
  'verify',
]);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const scratch = mkdtempSync(path.join(tmpdir(), 'hook-bench-'));

try {
  console.log(
    `interaction hook benchmark · node ${process.version} · ${cpus().length} CPUs · load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `${path.relative(ROOT, SERVER)} · ${workers} worker${workers === 1 ? '' : 's'} · concurrency ${concurrency} · ${journeys !== undefined ? `${journeys} journeys` : `${durationMs / 1000} s`} after ${warmup} warm-up journeys\n`,
  );
  const hook = await measureHook();
  const baseline =
    baselineMs > 0 ? await measureBare('baseline-server.ts', {}, baselineOperation, ['verify+sign'], baselineMs) : null;
  const ceilingJourney: Operation = (pool, identity, rec) => journey(pool, identity, '/callback', rec);
  const ceiling =
    ceilingMs > 0
      ? {
          bare: await measureBare('ceiling-server.ts', {}, ceilingJourney, JOURNEY_STEPS, ceilingMs),
          sessions: await measureBare(
            'ceiling-server.ts',
            { CEILING_SESSIONS: '1' },
            ceilingJourney,
            JOURNEY_STEPS,
            ceilingMs,
          ),
        }
      : null;
  const report: Report = {
    hook,
    baseline,
    ceiling,
    ratio: baseline ? round(hook.perSecond / baseline.perSecond, 3) : null,
    cpuRatio: baseline ? round(hook.server.cpuMsPerJourney / baseline.server.cpuMsPerOperation, 2) : null,
  };
  printReport(report);
  if (hook.soak) printSoakSummary(hook.soak.summary);
  const file = path.join(RESULTS, `bench-${stamp}.json`);
  const context = {
    at: new Date().toISOString(),
    server: path.relative(ROOT, SERVER),
    node: process.version,
    cpus: cpus().length,
    loadAverage: loadavg(),
    workers,
    concurrency,
    warmup,
  };
  writeFileSync(file, `${JSON.stringify({ ...context, ...report }, null, 2)}\n`);
  console.log(`\nresults   ${path.relative(ROOT, file)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

async function measureHook() {
  const port = await freePort();
  const hookUrl = `http://127.0.0.1:${port}/callback`;
  const dataDir = path.join(scratch, 'data');
  const profiles = path.join(RESULTS, `profiles-${stamp}`);
  const soak = soakSeconds !== undefined;
  const args = [
    ...opts['node-option'],
    ...(soak ? SOAK_NODE_OPTIONS : []),
    ...(opts['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', profiles] : []),
    SERVER,
  ];
  const env = serverEnv(hookUrl, port, {
    DATA_DIR: dataDir,
    ARRIVAL_RATE_LIMIT: '0',
    LOG_LEVEL: opts['log-level'],
    WORKERS: String(workers),
  });
  const child = startServer(args, env, path.join(scratch, 'hook.log'), { ipc: soak });
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/readyz`, child);
    const identity = { tenantUrl: TENANT_URL, hookUrl, key };
    const pool = newPool(`http://127.0.0.1:${port}`, concurrency);
    await runLoad(() => journey(pool, identity, '/callback', null), { concurrency, operations: warmup });

    const rec = newRecorder(JOURNEY_STEPS);
    const rss: RssSample[] = [];
    const pid = pidOf(child);
    const before = sampleProcess(pid);
    if (soak) printSoakHeader(sampleEvery);
    const sampler = soak ? new SoakSampler(child, sampleEvery) : null;
    const clientCpuBefore = ownCpuMs();
    const outcome = await runLoad(() => journey(pool, identity, '/callback', rec), {
      concurrency,
      operations: journeys,
      durationMs,
      onTick: (completed) => {
        rss.push({ journeys: completed, rssMb: round(sampleProcess(pid).rssMb, 1) });
        sampler?.tick(completed);
      },
    });
    const after = sampleProcess(pid);
    const soakSamples = await sampler?.finish(outcome.completed);
    const clientCpuMs = ownCpuMs() - clientCpuBefore;
    await pool.close();
    const exitCode = await stopServer(child);
    const perJourney = (ms: number) => round(ms / Math.max(1, outcome.completed), 3);
    return {
      ...figures(outcome, rec),
      requestsPerSecond: round((rec.requests.count * 1000) / outcome.elapsedMs, 1),
      byStep: Object.fromEntries(Object.entries(rec.steps).map(([step, samples]) => [step, samples.summary()])),
      server: {
        peakRssMb: round(after.peakRssMb, 1),
        rssAfterWarmupMb: round(before.rssMb, 1),
        rssFlatness: flatness(rss, outcome.completed),
        cpuMsPerJourney: perJourney(after.cpuMs - before.cpuMs),
        systemCpuMsPerJourney: perJourney(after.systemCpuMs - before.systemCpuMs),
        diskWriteKbPerJourney: perJourney(after.diskWriteKb - before.diskWriteKb),
        exitCode,
        ledgerRows: ledgerRows(path.join(dataDir, 'hook.db')),
      },
      loadGenerator: { cpuMsPerJourney: perJourney(clientCpuMs) },
      rssSeries: rss,
      profiles: opts['cpu-prof'] ? path.relative(ROOT, profiles) : undefined,
      soak: soakSamples && { everySeconds: sampleEvery, samples: soakSamples, summary: soakSummary(soakSamples) },
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

type Operation = (pool: ReturnType<typeof newPool>, identity: TenantIdentity, rec: Recorder | null) => Promise<void>;

/** A bare server from bench/ (the baseline or a ceiling), driven by `operation` for `ms`. */
async function measureBare(
  script: string,
  extraEnv: Record<string, string>,
  operation: Operation,
  steps: readonly string[],
  ms: number,
) {
  const port = await freePort();
  const hookUrl = `http://127.0.0.1:${port}/callback`;
  const child = startServer(
    ['--import', 'tsx', path.join(ROOT, 'bench', script)],
    serverEnv(hookUrl, port, extraEnv),
    path.join(scratch, `${script}.log`),
  );
  try {
    await waitUntilAnswering(`http://127.0.0.1:${port}/`, child);
    const identity = { tenantUrl: TENANT_URL, hookUrl, key };
    const pool = newPool(`http://127.0.0.1:${port}`, concurrency);
    await runLoad(() => operation(pool, identity, null), { concurrency, operations: Math.min(warmup, 1000) });
    const rec = newRecorder(steps);
    const pid = pidOf(child);
    const before = sampleProcess(pid);
    const outcome = await runLoad(() => operation(pool, identity, rec), { concurrency, durationMs: ms });
    const after = sampleProcess(pid);
    await pool.close();
    await stopServer(child);
    return {
      ...figures(outcome, rec),
      server: {
        peakRssMb: round(after.peakRssMb, 1),
        cpuMsPerOperation: round((after.cpuMs - before.cpuMs) / Math.max(1, outcome.completed), 3),
      },
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

function serverEnv(hookUrl: string, port: number, extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return {
    PATH: processEnvironment().PATH,
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

/** Decisions in the ledger after the run: each completed journey must have left one. */
function ledgerRows(file: string): number | null {
  if (!existsSync(file)) return null;
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM decisions').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function whole(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be a whole number of ${min} or more, got "${value}"`);
  return n;
}
