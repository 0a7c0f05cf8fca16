import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { localSessionSecret } from '../../src/config/session-secret.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('keeps the secret it made, mode 0600, and returns it on the next start', () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-secret-'));
  const first = localSessionSecret(path.join(dir, 'data'));
  expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(statSync(path.join(dir, 'data', 'session-secret')).mode & 0o777).toBe(0o600);
  expect(localSessionSecret(path.join(dir, 'data'))).toBe(first);
  expect(readdirSync(path.join(dir, 'data'))).toEqual(['session-secret']);
});

it('gives processes starting at the same moment one and the same secret', async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-secret-'));
  const dataDir = path.join(dir, 'data');
  const script = `import { localSessionSecret } from './src/config/session-secret.ts'; process.stdout.write(localSessionSecret(${JSON.stringify(dataDir)}));`;
  const runs = Array.from({ length: 6 }, async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => (out += String(chunk)));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
    return out;
  });
  const secrets = await Promise.all(runs);
  expect(new Set(secrets).size).toBe(1);
  expect(readFileSync(path.join(dataDir, 'session-secret'), 'utf8').trim()).toBe(secrets[0]);
  expect(readdirSync(dataDir)).toEqual(['session-secret']);
});
