import type { LoadOutcome } from './load.js';
import type { Recorder } from './journeys.js';
import { round, type LatencySummary } from './samples.js';
import type { SoakSample, soakSummary } from './soak.js';

export interface RssSample {
  journeys: number;
  rssMb: number;
}

/** Counts and latencies common to the hook's run and the baseline's. */
export function figures(outcome: LoadOutcome, rec: Recorder) {
  return {
    completed: outcome.completed,
    failed: outcome.failed,
    errors: outcome.errors,
    seconds: round(outcome.elapsedMs / 1000),
    perSecond: round((outcome.completed * 1000) / outcome.elapsedMs, 1),
    perRequest: rec.requests.summary(),
    perOperation: rec.operations.summary(),
  };
}

/**
 * RSS from the point 10 % of the journeys were done (caches and the heap have grown by then),
 * against that point: flat means every later sample stays within ±10 %.
 */
export function flatness(series: readonly RssSample[], total: number) {
  const from = series.find((s) => s.journeys >= total * 0.1);
  if (!from) return null;
  const later = series.filter((s) => s.journeys >= from.journeys).map((s) => s.rssMb);
  const lowest = Math.min(...later);
  const highest = Math.max(...later);
  const worst = Math.max(Math.abs(highest - from.rssMb), Math.abs(lowest - from.rssMb));
  // A leak shows as growth to the very end; bounded caches filling up show early and then stop.
  const lastHalf = series.filter((s) => s.journeys >= total / 2).map((s) => s.rssMb);
  return {
    referenceMb: from.rssMb,
    atJourneys: from.journeys,
    lowestMb: lowest,
    highestMb: highest,
    endMb: later.at(-1) ?? from.rssMb,
    worstDeviationPercent: round((100 * worst) / from.rssMb, 1),
    lastHalf: lastHalf.length === 0 ? null : { lowestMb: Math.min(...lastHalf), highestMb: Math.max(...lastHalf) },
  };
}

interface HookFigures extends ReturnType<typeof figures> {
  requestsPerSecond: number;
  byStep: Record<string, LatencySummary>;
  server: {
    peakRssMb: number;
    rssAfterWarmupMb: number;
    rssFlatness: ReturnType<typeof flatness>;
    cpuMsPerJourney: number;
    systemCpuMsPerJourney: number;
    diskWriteKbPerJourney: number;
    exitCode: number | null;
    ledgerRows: number | null;
  };
  loadGenerator: { cpuMsPerJourney: number };
  soak?: { everySeconds: number; samples: SoakSample[]; summary: ReturnType<typeof soakSummary> };
}

/** A bare server's run: the baseline (operations are verify+sign requests) or a ceiling (journeys). */
interface BareFigures extends ReturnType<typeof figures> {
  server: { peakRssMb: number; cpuMsPerOperation: number };
}

export interface Report {
  hook: HookFigures;
  baseline: BareFigures | null;
  /** The same journeys on bare Express, in memory: without sessions, and with express-session. */
  ceiling: { bare: BareFigures; sessions: BareFigures } | null;
  /** Journeys per second ÷ baseline operations per second. */
  ratio: number | null;
  /** Baseline operations one journey costs in server CPU: steadier than the throughput ratio on a busy machine. */
  cpuRatio: number | null;
}

export function printReport({ hook, baseline, ceiling, ratio, cpuRatio }: Report): void {
  const lat = (s: LatencySummary) => `p50 ${s.p50} ms · p95 ${s.p95} ms · p99 ${s.p99} ms · max ${s.max} ms`;
  const s = hook.server;
  const f = s.rssFlatness;
  console.log(
    `hook      ${hook.perSecond} journeys/s (${hook.requestsPerSecond} requests/s) · ${hook.completed} completed in ${hook.seconds} s · ${hook.failed} failed`,
  );
  console.log(`          per request  ${lat(hook.perRequest)}`);
  console.log(`          per journey  ${lat(hook.perOperation)}`);
  for (const [step, summary] of Object.entries(hook.byStep))
    console.log(`          ${step.padEnd(11)}  ${lat(summary)}`);
  console.log(
    `          server: peak RSS ${s.peakRssMb} MB · ${s.rssAfterWarmupMb} MB after warm-up` +
      (f
        ? ` · from journey ${f.atJourneys}: ${f.lowestMb}–${f.highestMb} MB, ${f.endMb} MB at the end (worst ±${f.worstDeviationPercent} %)`
        : ''),
  );
  if (f?.lastHalf)
    console.log(`          RSS over the last half of the journeys: ${f.lastHalf.lowestMb}–${f.lastHalf.highestMb} MB`);
  console.log(
    `          server CPU ${s.cpuMsPerJourney} ms/journey (${s.systemCpuMsPerJourney} in the kernel) · load generator CPU ${hook.loadGenerator.cpuMsPerJourney} ms/journey`,
  );
  console.log(
    `          disk writes ${s.diskWriteKbPerJourney} KB/journey · ledger rows ${s.ledgerRows} (warm-up included) · exit code ${s.exitCode}`,
  );
  if (hook.failed > 0) console.log(`          errors: ${JSON.stringify(hook.errors)}`);
  if (baseline) {
    console.log(
      `baseline  ${baseline.perSecond} verify+sign/s · ${baseline.failed} failed · per request ${lat(baseline.perRequest)}`,
    );
    console.log(
      `          server CPU ${baseline.server.cpuMsPerOperation} ms/operation · peak RSS ${baseline.server.peakRssMb} MB`,
    );
    console.log(
      `ratio     ${ratio} complete journeys per baseline operation · a journey costs ${cpuRatio} baseline operations of server CPU`,
    );
  }
  if (ceiling) {
    const line = (label: string, c: BareFigures) =>
      `${label}${c.perSecond} journeys/s · ${c.failed} failed · per request p50 ${c.perRequest.p50} ms · p99 ${c.perRequest.p99} ms · server CPU ${c.server.cpuMsPerOperation} ms/journey`;
    console.log(line('ceiling   bare Express, in memory, one process: ', ceiling.bare));
    console.log(line('          same, with express-session: ', ceiling.sessions));
    const share = (c: BareFigures) => Math.round((100 * hook.perSecond) / c.perSecond);
    console.log(`          the hook serves ${share(ceiling.bare)} % and ${share(ceiling.sessions)} % of these`);
  }
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `targets   ≥ 1000 journeys/s: ${met(hook.perSecond >= 1000)} · p99 per request ≤ 50 ms: ${met(hook.perRequest.p99 <= 50)} · ` +
      `RSS within ±10 %: ${f ? met(f.worstDeviationPercent <= 10) : 'run longer'} · no errors: ${met(hook.failed === 0)}`,
  );
}
