import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

/** A free TCP port on the loopback interface (the hook needs its port before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server process with its output going to `logFile`, so logging costs what it costs in
 * production; with `ipc`, also a channel to it (a soak run asks its heap probe over it).
 */
export function startServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  logFile: string,
  { ipc = false } = {},
): ChildProcess {
  const out = openSync(logFile, 'a');
  return spawn(process.execPath, args, { env, stdio: ipc ? ['ignore', out, out, 'ipc'] : ['ignore', out, out] });
}

/** The id of a process that started; spawn leaves it unset when the process could not start. */
export function pidOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('the server process did not start');
  return child.pid;
}

/** Resolves once `url` answers at all (any status). */
export async function waitUntilAnswering(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode} before answering`);
    try {
      const res = await request(url);
      await res.body.dump();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** SIGTERM, then wait for a clean exit; SIGKILL after `graceMs`. Resolves with the exit code. */
export async function stopServer(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export interface ProcessSample {
  /** Resident set size now, in MB. */
  rssMb: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb: number;
  /** User + system CPU time used so far, in ms. */
  cpuMs: number;
  /** Of which in the kernel (system calls: sockets, fsync, log writes), in ms. */
  systemCpuMs: number;
  /** Bytes sent to the disk so far (database, WAL, logs), in KB. */
  diskWriteKb: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Memory and CPU of a process and its children (the workers, with WORKERS > 1), summed, from /proc
 * (Linux). The peak is the sum of each process's own peak.
 */
export function sampleProcess(pid: number): ProcessSample {
  const samples = [pid, ...childrenOf(pid)].map(sampleOne);
  const sum = (field: keyof ProcessSample) => samples.reduce((total, sample) => total + sample[field], 0);
  return {
    rssMb: sum('rssMb'),
    peakRssMb: sum('peakRssMb'),
    cpuMs: sum('cpuMs'),
    systemCpuMs: sum('systemCpuMs'),
    diskWriteKb: sum('diskWriteKb'),
  };
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function sampleOne(pid: number): ProcessSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  // Fields after the command name (which may hold spaces) start at ")"; utime and stime are 14th and 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const toMs = (t: number) => (t * 1000) / CLOCK_TICKS_PER_SECOND;
  const written = Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  return {
    rssMb: kb('VmRSS') / 1024,
    peakRssMb: kb('VmHWM') / 1024,
    cpuMs: toMs(ticks),
    systemCpuMs: toMs(Number(fields[12])),
    diskWriteKb: written / 1024,
  };
}

/** CPU time (user + system) this process has used so far, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}
