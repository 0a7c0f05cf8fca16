import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeHookSecret } from '../../src/mattr/hook-secret.js';
import { mintSessionToken, readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, TENANT_URL } from '../support/hook-fixture.js';

/** The real process entry (src/server.ts), in a child process, as `npm start` runs it. */
interface HookProcess {
  child: ChildProcess;
  port: number;
  lines: string[];
  exited: Promise<number | null>;
  waitForLog(msg: string): Promise<Record<string, unknown>>;
}

const HOOK_URL = 'http://hook.example.com/callback';
const secret = randomBytes(32).toString('base64');
const identity = { tenantUrl: TENANT_URL, hookUrl: HOOK_URL, key: decodeHookSecret(secret)! };
let dataDir: string;
let hook: HookProcess | undefined;

afterEach(() => {
  if (hook?.child.exitCode === null) hook.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

async function startHookProcess(env: Record<string, string> = {}): Promise<HookProcess> {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-shutdown-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      HOOK_URL,
      MATTR_TENANT_URL: TENANT_URL,
      INTERACTION_HOOK_SECRET: secret,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: Array<{ msg: string; resolve: (line: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    const parsed = JSON.parse(line) as Record<string, unknown>;
    for (const w of waiters.filter((w) => w.msg === parsed.msg)) w.resolve(parsed);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitForLog = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const seen = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === msg);
      if (seen) resolve(seen);
      else waiters.push({ msg, resolve });
      void exited.then(() => reject(new Error(`the hook exited before logging "${msg}"`)));
    });
  const listening = await waitForLog('interaction hook listening');
  return { child, port: Number(listening.port), lines, exited, waitForLog };
}

/** Arrives and opens the step page: what the POST needs (path, cookie, CSRF token). */
async function arrive(port: number) {
  const { token, state } = await mintSessionToken(identity, { claims: { given_name: 'Mere' } });
  const arrival = await fetch(`http://127.0.0.1:${port}/callback?session_token=${token}`, { redirect: 'manual' });
  expect(arrival.status).toBe(303);
  const cookie = arrival.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const interactionPath = arrival.headers.get('location')!;
  const page = await fetch(`http://127.0.0.1:${port}${interactionPath}`, { headers: { cookie } });
  const body = new URLSearchParams({
    _csrf: csrfFrom(await page.text()),
    accept_terms: 'yes',
    decision: 'accept',
  }).toString();
  return { state, cookie, interactionPath, body };
}

/** Sends the POST's headers and the first half of its body: the request is now in flight. */
function startPost(port: number, journey: { cookie: string; interactionPath: string; body: string }) {
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: journey.interactionPath,
    // A kept-alive connection, as a browser's: the hook must close it once the response is out.
    agent: new http.Agent({ keepAlive: true }),
    headers: {
      cookie: journey.cookie,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': Buffer.byteLength(journey.body),
    },
  });
  const response = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  const half = Math.floor(journey.body.length / 2);
  req.write(journey.body.slice(0, half));
  return { response, finish: () => req.end(journey.body.slice(half)) };
}

describe('graceful shutdown on SIGTERM', () => {
  it('refuses new connections, lets an in-flight completion redirect and record its decision, then exits 0', async () => {
    hook = await startHookProcess();
    const journey = await arrive(hook.port);
    const post = startPost(hook.port, journey);
    await new Promise((resolve) => setTimeout(resolve, 100));

    hook.child.kill('SIGTERM');
    await hook.waitForLog('shutting down');
    await expect(fetch(`http://127.0.0.1:${hook.port}/healthz`)).rejects.toThrow();

    post.finish();
    const res = await post.response;
    expect(res.statusCode).toBe(303);
    expect(res.headers.connection).toBe('close');
    const back = new URL(res.headers.location!);
    expect(back.origin).toBe(TENANT_URL);
    const outcome = await readReturnToken(identity, back.searchParams.get('session_token')!);
    expect(outcome).toMatchObject({ kind: 'success', state: journey.state });

    expect(await hook.exited).toBe(0);
    await hook.waitForLog('interaction hook stopped');
    const db = new Database(path.join(dataDir, 'hook.db'), { readonly: true });
    const rows = db.prepare('SELECT state, step, decision FROM decisions').all();
    db.close();
    expect(rows).toEqual([{ state: journey.state, step: 'terms', decision: 'accepted' }]);
    // Not a terminal: JSON lines even in development.
    expect(hook.lines.every((l) => l.startsWith('{"level":'))).toBe(true);
  });

  it('cuts off a request that does not finish within SHUTDOWN_TIMEOUT_SECONDS, closes storage and still exits 0', async () => {
    hook = await startHookProcess({ SHUTDOWN_TIMEOUT_SECONDS: '1' });
    const journey = await arrive(hook.port);
    const post = startPost(hook.port, journey);
    post.response.catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();

    hook.child.kill('SIGTERM');
    expect(await hook.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
    await expect(post.response).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await hook.waitForLog('requests still in flight at the shutdown deadline were cut off')).cutOff).toBe(1);
    await hook.waitForLog('interaction hook stopped');
  });
});
