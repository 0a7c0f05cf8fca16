import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TenantIdentity } from '../../src/simulator/tenant-tokens.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const TENANT_URL = 'https://tenant.vii.au01.mattr.global';
const HOOK_URL = 'http://127.0.0.1/callback';

export interface LogLine {
  msg?: string;
  err?: { message?: string };
  port?: number;
  worker?: number;
  req?: { method?: string; path?: string };
  res?: { statusCode?: number };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  location: string | undefined;
  cookie: string | undefined;
  text: string;
}

export interface TwoWorkers {
  server: ChildProcess;
  /** Every log line so far, from the primary and both workers. */
  lines: LogLine[];
  dataDir: string;
  tenant: TenantIdentity;
  /** One request on a connection of its own, so that consecutive requests reach alternate workers. */
  send(method: 'GET' | 'POST', target: string, cookie?: string, form?: Record<string, string>): Promise<Reply>;
  /** Which workers logged a request line for `method path` (with `status`, when given). */
  workersServing(method: string, pathname: string, status?: number): Set<number | undefined>;
  /** The process ids of the workers. */
  workerPids(): number[];
  /** Kills what is left and removes the data directory. */
  cleanup(): void;
}

/**
 * The real server (`src/server.ts` under node itself, so signals reach it) with WORKERS=2 on one
 * SQLite file in a fresh DATA_DIR; resolves once both workers listen. No SESSION_SECRET: the
 * workers must agree on the one kept in DATA_DIR.
 */
export async function startTwoWorkers(env: Record<string, string>): Promise<TwoWorkers> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hook-workers-'));
  const secret = randomBytes(32).toString('base64');
  const tenant: TenantIdentity = {
    tenantUrl: TENANT_URL,
    hookUrl: HOOK_URL,
    key: createSecretKey(Buffer.from(secret, 'base64')),
  };
  const dataDir = path.join(dir, 'data');
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOOK_URL,
      MATTR_TENANT_URL: TENANT_URL,
      INTERACTION_HOOK_SECRET: secret,
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      WORKERS: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const cleanup = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const listening = () => lines.filter((l) => l.msg === 'interaction hook listening');
  try {
    await new Promise<void>((resolve, reject) => {
      // Each process writes its own lines: a worker's may come after the primary's summary.
      const started = () => lines.some((l) => l.msg === 'all workers listening') && listening().length === 2;
      createInterface({ input: server.stdout }).on('line', (line) => {
        lines.push(JSON.parse(line) as LogLine);
        if (started()) resolve();
      });
      server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
    });
    if (new Set(listening().map((l) => l.port)).size !== 1)
      throw new Error(`the workers listen on different ports: ${JSON.stringify(listening())}`);
  } catch (error) {
    cleanup();
    throw error;
  }
  const base = `http://127.0.0.1:${listening()[0]!.port}`;

  return {
    server,
    lines,
    dataDir,
    tenant,
    send(method, target, cookie, form) {
      const body = form ? new URLSearchParams(form).toString() : undefined;
      const headers: Record<string, string> = { connection: 'close' };
      if (cookie) headers.cookie = cookie;
      if (body)
        Object.assign(headers, {
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
        });
      return new Promise((resolve, reject) => {
        const req = request(`${base}${target}`, { method, headers, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              location: res.headers.location,
              cookie: res.headers['set-cookie']?.map((c) => c.split(';')[0]!).join('; '),
              text,
            }),
          );
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    workersServing(method, pathname, status) {
      return new Set(
        lines
          .filter(
            (l) =>
              l.req?.method === method &&
              l.req.path === pathname &&
              l.res &&
              (status === undefined || l.res.statusCode === status),
          )
          .map((l) => l.worker),
      );
    },
    workerPids() {
      // The primary's children running the server (not, say, a compiler service of the loader).
      return execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(server.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes('src/server.ts'))
        .map((line) => Number.parseInt(line.trim(), 10));
    },
    cleanup,
  };
}
