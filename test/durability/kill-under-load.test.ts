import { spawn, type ChildProcess } from 'node:child_process';
import { createSecretKey, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { mintSessionToken, readReturnToken, type TenantIdentity } from '../../src/simulator/tenant-tokens.js';

/**
 * The real server as a child process, users finishing journeys against it as fast as they can,
 * and a SIGKILL at a random moment — three times on the same DATA_DIR. Every redirect a user
 * received must have its ledger row afterwards, and the database must pass its integrity check.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TENANT_URL = 'https://tenant.vii.au01.mattr.global';
const HOOK_URL = 'http://127.0.0.1/callback';
const USERS = 6;
const ROUNDS = 3;

const dir = mkdtempSync(path.join(tmpdir(), 'hook-kill-'));
const secret = randomBytes(32).toString('base64');
const tenant: TenantIdentity = {
  tenantUrl: TENANT_URL,
  hookUrl: HOOK_URL,
  key: createSecretKey(Buffer.from(secret, 'base64')),
};
const env = {
  ...process.env,
  NODE_ENV: 'production',
  HOOK_URL,
  MATTR_TENANT_URL: TENANT_URL,
  INTERACTION_HOOK_SECRET: secret,
  SESSION_SECRET: randomBytes(32).toString('hex'),
  DATA_DIR: path.join(dir, 'data'),
  PORT: '0',
  HOST: '127.0.0.1',
  ARRIVAL_RATE_LIMIT: '0',
  LOG_LEVEL: 'info',
};
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `src/server.ts` under node itself (no wrapper process, so the signal reaches the server). */
async function startServer(): Promise<{ port: number; process: ChildProcess }> {
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = server;
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const lines = createInterface({ input: server.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'interaction hook listening') resolve(entry.port!);
    });
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
  return { port, process: server };
}

interface Received {
  state: string;
  kind: 'success' | 'failure';
}

/** One user after another, until the server goes away: arrive, read the terms, accept or decline. */
async function user(port: number, received: Received[], stop: { now: boolean }): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  try {
    while (!stop.now) {
      const { token } = await mintSessionToken(tenant);
      const arrival = await fetch(`${base}/callback?session_token=${token}`, { redirect: 'manual' });
      await arrival.arrayBuffer();
      if (arrival.status !== 303) throw new Error(`arrival answered ${arrival.status}`);
      const cookie = arrival.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; ');
      const step = arrival.headers.get('location')!;
      const page = await (await fetch(`${base}${step}`, { headers: { cookie } })).text();
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
      const decline = Math.random() < 0.25;
      const body = new URLSearchParams(
        decline
          ? { _csrf: csrf, step: 'terms', decision: 'decline' }
          : { _csrf: csrf, step: 'terms', accept_terms: 'yes', decision: 'accept' },
      );
      const done = await fetch(`${base}${step}`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
      await done.arrayBuffer();
      if (done.status !== 303) throw new Error(`the answer got ${done.status}`);
      const back = new URL(done.headers.get('location')!);
      expect(back.origin).toBe(TENANT_URL);
      const outcome = await readReturnToken(tenant, back.searchParams.get('session_token')!);
      received.push({ state: outcome.state, kind: outcome.kind });
    }
  } catch (error) {
    // The server was killed under this user; anything else is a failure of the test.
    if (!stop.now) throw error;
  }
}

it('loses no decision for which a redirect was sent, across three SIGKILLs under load', async () => {
  const received: Received[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { port, process: server } = await startServer();
    const stop = { now: false };
    const before = received.length;
    const users = Array.from({ length: USERS }, () => user(port, received, stop));
    // Kill at a random moment once journeys are flowing.
    const deadline = Date.now() + 15_000;
    while (received.length - before < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, Math.random() * 400));
    stop.now = true;
    server.kill('SIGKILL');
    const [, signal] = (await once(server, 'exit')) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    await Promise.all(users);
    expect(received.length - before, `journeys completed in round ${round + 1}`).toBeGreaterThanOrEqual(20);
  }

  // The database comes back: the server starts on it, serves a whole journey, and stops cleanly.
  const { port, process: server } = await startServer();
  const last: Received[] = [];
  const stop = { now: false };
  const one = user(port, last, stop);
  while (last.length === 0) await new Promise((r) => setTimeout(r, 10));
  stop.now = true;
  await one;
  server.kill('SIGTERM');
  const [code] = (await once(server, 'exit')) as [number | null];
  expect(code).toBe(0);
  child = undefined;

  const db = new Database(path.join(env.DATA_DIR, 'hook.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = new Map(
      (db.prepare('SELECT state, decision FROM decisions').all() as Array<{ state: string; decision: string }>).map(
        (r) => [r.state, r.decision],
      ),
    );
    const missing = [...received, ...last].filter(
      (r) => rows.get(r.state) !== (r.kind === 'success' ? 'accepted' : 'declined'),
    );
    expect(missing, `redirects without their ledger row (of ${received.length})`).toEqual([]);
  } finally {
    db.close();
  }
}, 180_000);
