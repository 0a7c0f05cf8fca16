import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, startHook, type RunningHook } from '../../src/start-hook.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let env: Record<string, string>;
let running: RunningHook | undefined;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-start-'));
  mkdirSync(path.join(dir, 'terms'));
  writeTerms('2026-11', 'en', 'The terms, first text.');
  env = {
    NODE_ENV: 'test',
    HOOK_URL: 'http://127.0.0.1/callback',
    MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global',
    INTERACTION_HOOK_SECRET: randomBytes(32).toString('base64'),
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: path.join(dir, 'data'),
    HOOK_CONFIG: path.join(dir, 'hook.config.json'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
  };
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function writeTerms(version: string, lang: string, text: string, extra: Record<string, string> = {}): void {
  const documents: Record<string, string> = { [lang]: `terms/${version}.${lang}.txt`, ...extra };
  writeFileSync(path.join(dir, 'terms', `${version}.${lang}.txt`), text);
  writeFileSync(path.join(dir, 'hook.config.json'), JSON.stringify({ steps: [{ type: 'terms', version, documents }] }));
}

const start = () => startHook(env, pino({ level: 'silent' }));

describe('published terms are immutable', () => {
  it('publishes each terms document at the first start and starts again on the same text', async () => {
    running = await start();
    await running.close();
    running = await start();
    await running.close();
    running = undefined;
    const db = new Database(path.join(env.DATA_DIR!, 'hook.db'), { readonly: true });
    expect(db.prepare('SELECT step, version, locale FROM published_terms').all()).toEqual([
      { step: 'terms', version: '2026-11', locale: 'en' },
    ]);
    db.close();
  });

  it('refuses to start when the text of a published version changed, naming step, version, language and file', async () => {
    running = await start();
    await running.close();
    running = undefined;
    writeTerms('2026-11', 'en', 'The terms, quietly edited.');

    const refusal = await start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(ConfigurationError);
    const [problem] = (refusal as ConfigurationError).problems;
    expect(problem).toMatch(/^terms step "terms", version "2026-11", language "en": /);
    expect(problem).toContain(path.join(dir, 'terms', '2026-11.en.txt'));
    expect(problem).toContain('give the new text a new "version"');

    // Under a new version the new text starts, and the old version's record is untouched.
    writeTerms('2027-01', 'en', 'The terms, quietly edited.');
    running = await start();
  });

  it('prints a clean message, with no stack trace, when the server process refuses to start', async () => {
    running = await start();
    await running.close();
    running = undefined;
    writeTerms('2026-11', 'en', 'Changed after publication.');
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.status).toBe(1);
    expect(child.stderr).toContain('The interaction hook cannot start:');
    expect(child.stderr).toContain('terms step "terms", version "2026-11", language "en"');
    expect(child.stderr).not.toMatch(/\n\s+at /);
    expect(child.stderr).not.toContain(env.INTERACTION_HOOK_SECRET!);
  });
});

describe("requests Node's HTTP parser refuses", () => {
  async function raw(port: number, text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(text));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers over-large headers with 431 and malformed requests with 400, as pages with the strict headers', async () => {
    running = await start();
    const huge = await raw(
      running.port,
      `GET /callback?session_token=abc HTTP/1.1\r\nHost: x\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    const garbage = await raw(running.port, 'NOT HTTP AT ALL\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    for (const answer of [huge, garbage]) {
      expect(answer).toContain("Content-Security-Policy: default-src 'none'");
      expect(answer).toContain('Referrer-Policy: no-referrer');
      expect(answer).toContain('Cache-Control: no-store');
      expect(answer).toContain('<h1>Something was wrong with that request</h1>');
      expect(answer).not.toContain('abc');
    }
  });
});
