import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { round } from './samples.js';

/**
 * A soak run (`npm run bench -- --soak 600`): the hook under load for a long time, its memory
 * sampled every so often, to tell memory that levels off (caches filling up, the heap growing to
 * its working size) from memory that grows without end.
 */

/** The module the hook's process is started with (`--import`) in a soak run. */
export const HEAP_PROBE = fileURLToPath(new URL('./heap-probe.js', import.meta.url));

/** Node flags of the hook's process in a soak run: the probe, and `gc()` for it. */
export const SOAK_NODE_OPTIONS: readonly string[] = ['--expose-gc', '--import', HEAP_PROBE];

interface Memory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  mallocedMb: number;
  nativeContexts: number;
  detachedContexts: number;
}

export interface SoakSample {
  /** Seconds since the load began (after the warm-up). */
  seconds: number;
  journeys: number;
  /** Journeys per second since the previous sample. */
  perSecond: number;
  /** As the process was found, before the probe's collection. */
  found: Memory;
  /** After a full garbage collection: what the process really holds. */
  live: Memory;
}

/** Asks the probe in `child` for its memory figures. */
function askMemory(child: ChildProcess, timeoutMs = 10_000): Promise<{ found: Memory; live: Memory }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`the heap probe did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: unknown) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as { found: Memory; live: Memory });
    };
    child.on('message', onMessage);
    child.send('memory?');
  });
}

/** Takes a sample when one is due; `tick` is called about once a second with the journeys done. */
export class SoakSampler {
  readonly samples: SoakSample[] = [];
  private readonly started = performance.now();
  private due = 0;
  private asking: Promise<void> = Promise.resolve();
  private last = { seconds: 0, journeys: 0 };

  constructor(
    private readonly child: ChildProcess,
    private readonly everySeconds: number,
  ) {}

  tick(journeys: number): void {
    const seconds = (performance.now() - this.started) / 1000;
    if (seconds < this.due) return;
    this.due += this.everySeconds;
    this.sample(seconds, journeys);
  }

  /** The last sample, at the end of the load, once every sample asked for has come in. */
  async finish(journeys: number): Promise<SoakSample[]> {
    this.sample((performance.now() - this.started) / 1000, journeys);
    await this.asking;
    return this.samples;
  }

  private sample(seconds: number, journeys: number): void {
    const interval = seconds - this.last.seconds;
    const perSecond = interval > 0 ? round((journeys - this.last.journeys) / interval, 1) : 0;
    this.last = { seconds, journeys };
    // One question at a time: the answers come back in the order asked.
    this.asking = this.asking.then(async () => {
      const memory = await askMemory(this.child);
      const sample = { seconds: round(seconds, 1), journeys, perSecond, ...memory };
      this.samples.push(sample);
      printSample(sample);
    });
  }
}

export function printSoakHeader(everySeconds: number): void {
  console.log(`soak      memory every ${everySeconds} s; "live" is after a full garbage collection`);
  console.log(
    '          time s  journeys  journeys/s   RSS MB   heap used found → live / total MB   external MB (array buffers)',
  );
}

function printSample(s: SoakSample): void {
  const pad = (value: number | string, width: number) => String(value).padStart(width);
  console.log(
    `          ${pad(s.seconds.toFixed(0), 6)}  ${pad(s.journeys, 8)}  ${pad(s.perSecond, 10)}   ${pad(s.found.rssMb, 6)}   ` +
      `${pad(s.found.heapUsedMb, 6)} → ${pad(s.live.heapUsedMb, 6)} / ${pad(s.live.heapTotalMb, 6)}          ${pad(s.live.externalMb, 6)} (${s.live.arrayBuffersMb})`,
  );
}

interface Trend {
  startMb: number;
  maxMb: number;
  endMb: number;
  /** Least-squares slope over the samples of the second half of the run, in MB per minute. */
  lastHalfMbPerMinute: number | null;
}

/** Start, highest, end and the slope of the last half: memory that levels off has a slope near 0. */
export function trend(samples: readonly SoakSample[], value: (s: SoakSample) => number): Trend | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return null;
  const half = samples.filter((s) => s.seconds >= last.seconds / 2);
  return {
    startMb: value(first),
    maxMb: Math.max(...samples.map(value)),
    endMb: value(last),
    lastHalfMbPerMinute: half.length < 2 ? null : round(60 * slope(half.map((s) => [s.seconds, value(s)])), 3),
  };
}

function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function soakSummary(samples: readonly SoakSample[]) {
  return {
    rss: trend(samples, (s) => s.found.rssMb),
    liveHeap: trend(samples, (s) => s.live.heapUsedMb),
    heapTotal: trend(samples, (s) => s.live.heapTotalMb),
    external: trend(samples, (s) => s.live.externalMb),
  };
}

export function printSoakSummary(summary: ReturnType<typeof soakSummary>): void {
  const line = (label: string, t: Trend | null) =>
    t &&
    console.log(
      `          ${label.padEnd(16)} start ${t.startMb} · max ${t.maxMb} · end ${t.endMb} MB · last half ${t.lastHalfMbPerMinute ?? '–'} MB/min`,
    );
  line('RSS', summary.rss);
  line('heap used, live', summary.liveHeap);
  line('heap total', summary.heapTotal);
  line('external', summary.external);
}
