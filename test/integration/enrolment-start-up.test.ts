import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigurationError, startHook, type RunningHook } from '../../src/start-hook.js';

/** What start-up says about steps that enrol a passkey or an authenticator app on first use. */
let dir: string;
let env: Record<string, string>;
let running: RunningHook | undefined;
let logs: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-enrol-start-'));
  logs = [];
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
  };
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function steps(...entries: unknown[]): void {
  writeFileSync(path.join(dir, 'hook.config.json'), JSON.stringify({ steps: entries }));
}

const logger = () =>
  pino(
    { level: 'warn' },
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );

describe('enrolment at start-up', () => {
  it('warns about each step that enrols on first use, and about no other', async () => {
    steps(
      { type: 'passkey', enrol: 'when-missing' },
      { type: 'authenticator-app', enrol: 'when-missing' },
      { type: 'authenticator-app', id: 'safe-app' },
    );
    running = await startHook(env, logger());
    const warnings = logs
      .map((line) => (JSON.parse(line) as { msg: string }).msg)
      .filter((msg) => msg.includes('when-missing'));
    expect(warnings).toEqual([
      'step "passkey" enrols a passkey with "enrol": "when-missing": whoever first arrives with a token for a subject can bind a passkey of their own to it',
      'step "authenticator-app" enrols an authenticator app with "enrol": "when-missing": whoever first arrives with a token for a subject can bind an authenticator app of their own to it',
    ]);
  });

  it('refuses an AUTHENTICATOR_APP_KEY too short to be a key, naming it and not its value', async () => {
    steps({ type: 'authenticator-app' });
    const error = await startHook({ ...env, AUTHENTICATOR_APP_KEY: 'too-short-a-key' }, logger()).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).problems).toEqual([
      'AUTHENTICATOR_APP_KEY must be at least 32 characters (e.g. openssl rand -base64 32)',
    ]);
  });
});
