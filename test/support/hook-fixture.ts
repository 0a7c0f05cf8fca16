import { createSecretKey, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createApp, type AppDeps } from '../../src/app.js';
import { DEFAULT_HOOK_CONFIG, loadHookConfig, type HookConfig } from '../../src/config/hook-config.js';
import { loadSettings, type Settings } from '../../src/config/settings.js';
import { HookKeys } from '../../src/mattr/hook-keys.js';
import { decodeHookSecret } from '../../src/mattr/hook-secret.js';
import { createLogger } from '../../src/ops/logger.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/ports.js';
import { createSimulator, type Simulator } from '../../src/simulator/tenant-simulator.js';
import { mintSessionToken, type MintOptions } from '../../src/simulator/tenant-tokens.js';
import { engineSandbox, type EngineSandbox } from './storage-engine.js';

export const TENANT_URL = 'https://tenant.vii.au01.mattr.global';
/**
 * Plain http by default: supertest's cookie jar (rightly) never sends a Secure cookie over http.
 * Tests of the https behaviour pass `HOOK_URL: HTTPS_HOOK_URL`.
 */
export const HOOK_URL = 'http://hook.example.com/callback';
export const HTTPS_HOOK_URL = 'https://hook.example.com/callback';

/** A controllable clock: tests move time on instead of waiting. */
export class TestClock {
  private offsetMs = 0;
  now = (): Date => new Date(Date.now() + this.offsetMs);
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface HookFixture {
  settings: Settings;
  secret: string;
  storage: Storage;
  simulator: Simulator;
  clock: TestClock;
  logs: string[];
  dataDir: string;
  /** The current app, e.g. to serve it on a real port. */
  readonly app: Express;
  /** A browser: a cookie jar that speaks to the hook as if through its TLS proxy. */
  browser(): TestAgent;
  /** The current app as a plain request listener, to serve it over real HTTP (browser tests). */
  handle(req: IncomingMessage, res: ServerResponse): void;
  mint(options?: MintOptions): Promise<{ token: string; state: string }>;
  /** Builds the app again on the same data directory, as a restarted process would (with another steps file, when given). */
  restart(hookConfig?: HookConfig): Promise<void>;
  close(): Promise<void>;
}

/**
 * The hook on fresh storage of this run's engine (a new SQLite file, or a schema and key prefix of
 * its own), a simulated tenant with the same secret, and captured logs.
 */
export async function hookFixture(
  env: Record<string, string> = {},
  hookConfig?: HookConfig,
  deps: Pick<AppDeps, 'metrics'> = {},
): Promise<HookFixture> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hook-test-'));
  let sandbox: EngineSandbox | undefined;
  let opened: Storage | undefined;
  try {
    sandbox = await engineSandbox();
    return await assemble(sandbox, (storage) => (opened = storage));
  } catch (error) {
    // Whatever was made before the failure goes again: no folder, schema or open file left behind.
    await opened?.close().catch(() => undefined);
    await sandbox?.cleanup().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  async function assemble(sandbox: EngineSandbox, onOpen: (storage: Storage) => void): Promise<HookFixture> {
    const secret = randomBytes(32).toString('base64');
    const loaded = loadSettings({
      NODE_ENV: 'test',
      HOOK_URL,
      MATTR_TENANT_URL: TENANT_URL,
      INTERACTION_HOOK_SECRET: secret,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      ...sandbox.env,
      ...env,
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    const { settings } = loaded;
    let config = hookConfig ?? mustLoad(DEFAULT_HOOK_CONFIG);
    const logs: string[] = [];
    // The production logger (redaction included), writing into `logs`.
    const logger = createLogger(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
    const clock = new TestClock();
    const key = decodeHookSecret(settings.hookSecret!)!;
    const previous = settings.previousHookSecret ? decodeHookSecret(settings.previousHookSecret)! : undefined;
    const simulator = createSimulator(
      { tenantUrl: settings.tenantUrl, hookUrl: settings.hookUrl, key },
      { now: clock.now },
    );

    const build = async () => {
      const storage = await openStorage(settings);
      onOpen(storage);
      const app = createApp({
        settings,
        hookConfig: config,
        storage,
        logger,
        keys: new HookKeys(key, previous && { key: previous }),
        sessionSecret: settings.sessionSecret!,
        now: clock.now,
        ...deps,
      });
      return { storage, app };
    };
    let current = await build();
    const https = settings.hookUrl.startsWith('https:');

    const fixture: HookFixture = {
      settings,
      secret,
      get storage() {
        return current.storage;
      },
      simulator,
      clock,
      logs,
      dataDir,
      get app() {
        return current.app;
      },
      browser() {
        // Through a front that always reaches the current app, so cookies survive a restart.
        const agent = request.agent((req: IncomingMessage, res: ServerResponse) => {
          current.app(req, res);
        });
        return https ? agent.set('X-Forwarded-Proto', 'https') : agent;
      },
      handle: (req, res) => {
        current.app(req, res);
      },
      mint: (options) => mintSessionToken(simulator.identity, { now: clock.now(), ...options }),
      async restart(another) {
        await current.storage.close();
        config = another ?? config;
        current = await build();
      },
      async close() {
        await current.storage.close();
        await sandbox.cleanup();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
    return fixture;
  }
}

export function mustLoad(file: string): HookConfig {
  const loaded = loadHookConfig(file);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  return loaded.config;
}

export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF field on the page');
  return match[1]!;
}

/** The path and query of a Location header, to replay it against the simulator app. */
export function pathOf(location: string): string {
  const url = new URL(location);
  return url.pathname + url.search;
}

export const withKey = (secret: string) => createSecretKey(Buffer.from(secret, 'base64'));
