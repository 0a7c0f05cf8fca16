import { spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mintSessionToken, readReturnToken, type TenantIdentity } from '../../src/simulator/tenant-tokens.js';

/**
 * The real server with WORKERS=2 on one SQLite file, driven over a new connection per request so
 * that the primary hands requests to both workers in turn. No SESSION_SECRET: the workers must
 * agree on the one kept in DATA_DIR.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TENANT_URL = 'https://tenant.vii.au01.mattr.global';
const HOOK_URL = 'http://127.0.0.1/callback';
const RACERS = 16;

const dir = mkdtempSync(path.join(tmpdir(), 'hook-workers-'));
const secret = randomBytes(32).toString('base64');
const tenant: TenantIdentity = { tenantUrl: TENANT_URL, hookUrl: HOOK_URL, key: createSecretKey(Buffer.from(secret, 'base64')) };
interface LogLine {
  msg?: string;
  port?: number;
  worker?: number;
  req?: { method?: string; path?: string };
  res?: { statusCode?: number };
}
const lines: LogLine[] = [];
let server: ChildProcess;
let base = '';

beforeAll(async () => {
  const env = {
    PATH: process.env.PATH,
    HOOK_URL,
    MATTR_TENANT_URL: TENANT_URL,
    INTERACTION_HOOK_SECRET: secret,
    DATA_DIR: path.join(dir, 'data'),
    PORT: '0',
    HOST: '127.0.0.1',
    ARRIVAL_RATE_LIMIT: '0',
    LOG_LEVEL: 'info',
    WORKERS: '2',
  };
  server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: server.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as LogLine;
      lines.push(entry);
      if (entry.msg === 'all workers listening') resolve();
    });
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
  await ready;
  const listening = lines.filter((l) => l.msg === 'interaction hook listening');
  expect(listening.map((l) => l.worker).sort()).toEqual([1, 2]);
  expect(new Set(listening.map((l) => l.port)).size).toBe(1);
  base = `http://127.0.0.1:${listening[0]!.port}`;
}, 60_000);

afterAll(() => {
  if (server.exitCode === null) server.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  location: string | undefined;
  cookie: string | undefined;
  text: string;
}

/** One request on a connection of its own, so that consecutive requests reach alternate workers. */
function send(method: 'GET' | 'POST', target: string, cookie?: string, form?: Record<string, string>): Promise<Reply> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers: Record<string, string> = { connection: 'close' };
  if (cookie) headers.cookie = cookie;
  if (body) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) });
  return new Promise((resolve, reject) => {
    const req = request(`${base}${target}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, cookie: res.headers['set-cookie']?.[0]?.split(';')[0], text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Which workers logged a request line for `method path`. */
function workersServing(method: string, pathname: string): Set<number | undefined> {
  return new Set(lines.filter((l) => l.req?.method === method && l.req.path === pathname && l.res).map((l) => l.worker));
}

async function arriveAndRead(): Promise<{ step: string; cookie: string; csrf: string; state: string }> {
  const { token, state } = await mintSessionToken(tenant);
  const arrival = await send('GET', `/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const page = await send('GET', arrival.location!, arrival.cookie);
  expect(page.status).toBe(200);
  return { step: arrival.location!, cookie: arrival.cookie!, csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!, state };
}

it('serves one journey across both workers: the session made by one is read by the other', async () => {
  const { step, cookie, csrf, state } = await arriveAndRead();
  const done = await send('POST', step, cookie, { _csrf: csrf, step: 'terms', accept_terms: 'yes', decision: 'accept' });
  expect(done.status).toBe(303);
  const outcome = await readReturnToken(tenant, new URL(done.location!).searchParams.get('session_token')!);
  expect(outcome).toMatchObject({ kind: 'success', state });
  // Arrival, page and answer went to alternate workers.
  expect(new Set([...workersServing('GET', '/callback'), ...workersServing('GET', step), ...workersServing('POST', step)])).toEqual(new Set([1, 2]));
});

it('lets a token in only once, however many connections race with it to both workers', async () => {
  const { token } = await mintSessionToken(tenant);
  const replies = await Promise.all(Array.from({ length: RACERS }, () => send('GET', `/callback?session_token=${token}`)));
  expect(replies.filter((r) => r.status === 303)).toHaveLength(1);
  expect(replies.filter((r) => r.status === 409)).toHaveLength(RACERS - 1);
  const refusedBy = new Set(lines.filter((l) => l.req?.path === '/callback' && l.res?.statusCode === 409).map((l) => l.worker));
  expect(refusedBy).toEqual(new Set([1, 2]));
});

it('records one decision and sends one redirect back when both workers get the same answer at once', async () => {
  const { step, cookie, csrf, state } = await arriveAndRead();
  const form = { _csrf: csrf, step: 'terms', accept_terms: 'yes', decision: 'accept' };
  const replies = await Promise.all(Array.from({ length: RACERS }, () => send('POST', step, cookie, form)));
  const back = replies.filter((r) => r.location?.startsWith(TENANT_URL));
  expect(back).toHaveLength(1);
  expect(replies.filter((r) => !r.location?.startsWith(TENANT_URL)).every((r) => r.status === 409 || (r.status === 303 && r.location === step))).toBe(true);
  expect(workersServing('POST', step)).toEqual(new Set([1, 2]));

  const db = new Database(path.join(dir, 'data', 'hook.db'), { readonly: true });
  try {
    expect(db.prepare('SELECT decision FROM decisions WHERE state = ?').all(state)).toEqual([{ decision: 'accepted' }]);
  } finally {
    db.close();
  }
});

it('stops both workers gracefully on SIGTERM and exits 0', async () => {
  server.kill('SIGTERM');
  const [code] = (await once(server, 'exit')) as [number | null];
  expect(code).toBe(0);
  expect(lines.filter((l) => l.msg === 'interaction hook stopped').map((l) => l.worker).sort()).toEqual([1, 2]);
});
