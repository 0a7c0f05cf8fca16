import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/own-redis-server.js';
import { engineSandbox, TEST_DATABASE_URL, TEST_ENGINE, type EngineSandbox } from '../support/storage-engine.js';
import { TcpProxy } from '../support/tcp-proxy.js';

/** `npm start` as an operator runs it, with a server it needs missing. Each test boots Node with tsx: slow on a busy machine. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PASSWORD = 'pw-that-must-not-be-printed';

let sandbox: EngineSandbox;
let dataDir: string;
beforeEach(async () => {
  sandbox = await engineSandbox();
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-start-'));
});
afterEach(async () => {
  await sandbox.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The hook's process entry under tsx, its output collected as it comes. */
function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOOK_URL: 'http://hook.example.com/callback',
      MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global',
      INTERACTION_HOOK_SECRET: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: dataDir,
      ...sandbox.env,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const until = async (needle: string) => {
    for (let i = 0; i < 300 && !output.text.includes(needle); i++) await new Promise((r) => setTimeout(r, 50));
    if (!output.text.includes(needle))
      throw new Error(`the hook never printed "${needle}"; it printed:\n${output.text}`);
  };
  return { child, output, exited, until };
}

/** A URL of a server that is not there, with a password in it. */
async function nowhere(protocol: 'postgres' | 'redis'): Promise<{ url: string; where: string }> {
  const port = await freePort();
  return protocol === 'postgres'
    ? { url: `postgres://hook:${PASSWORD}@127.0.0.1:${port}/test`, where: `127.0.0.1:${port}/test` }
    : { url: `redis://default:${PASSWORD}@127.0.0.1:${port}`, where: `127.0.0.1:${port}` };
}

describe(`start-up on ${TEST_ENGINE}`, () => {
  it('exits with 1, naming the server it could not reach but not its password, once the wait runs out', async () => {
    const missing = TEST_ENGINE === 'postgres+redis' ? await nowhere('redis') : await nowhere('postgres');
    const [engine, variable] =
      TEST_ENGINE === 'postgres+redis' ? ['Redis', 'REDIS_URL'] : ['PostgreSQL', 'DATABASE_URL'];
    const hook = startProcess({ [variable]: missing.url, STORAGE_WAIT_SECONDS: '2' });
    expect(await hook.exited).toBe(1);
    expect(hook.output.text).toContain(
      `The interaction hook cannot start: ${engine} at ${missing.where} (${variable}) cannot be reached: connect ECONNREFUSED`,
    );
    expect(hook.output.text).toMatch(/gave up after [2-9] attempts/);
    expect(hook.output.text).toContain('trying again');
    expect(hook.output.text).not.toContain(PASSWORD);
  }, 40_000);

  it('waits within STORAGE_WAIT_SECONDS for PostgreSQL to appear, then serves', async () => {
    const target = new URL(TEST_DATABASE_URL);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    await proxy.cut();
    const url = new URL(sandbox.env.DATABASE_URL!);
    url.port = String(proxy.port);
    const hook = startProcess({ DATABASE_URL: url.toString(), STORAGE_WAIT_SECONDS: '30' });
    try {
      await hook.until('trying again');
      await proxy.restore();
      await hook.until('interaction hook listening');
      const port = /"port":(\d+)/.exec(hook.output.text)![1];
      expect((await fetch(`http://127.0.0.1:${port}/callback`)).status).toBe(400);
      hook.child.kill('SIGTERM');
      expect(await hook.exited).toBe(0);
    } finally {
      hook.child.kill('SIGKILL');
      await proxy.close();
    }
  }, 40_000);
});
