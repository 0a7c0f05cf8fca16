import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * A production install, as an operator makes one: build once where the development dependencies
 * are, copy what the server needs, `npm ci --omit=dev` there, `npm start`.
 *
 * How it proves the install works: the build runs the project's own `npm run build` on a copy of
 * the sources; the copy for the server gets nothing but the files the README lists; `npm ci
 * --omit=dev` then installs the runtime dependencies from the lockfile (the npm registry, or
 * npm's cache). What is missing from `dependencies` is therefore missing there, and the server
 * that starts, answers `/healthz` and runs its CLI loads every module it imports for real.
 *
 * One shortcut, to keep the test well under two minutes: install scripts are skipped, and the
 * one runtime package that has one (better-sqlite3, checked below from the lockfile) gets the
 * addon the development install already compiled for this very Node. Compiling it again would
 * prove only the C/C++ toolchain (a README prerequisite) and cost a minute.
 */
const ROOT = process.cwd();
const exec = promisify(execFile);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** What a production install needs, as docs/operations.md lists it. */
const SHIPPED = ['package.json', 'package-lock.json', 'dist', 'views', 'public', 'content', 'scripts'];

let work: string;
let prod: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'hook-install-'));
  try {
    const build = path.join(work, 'build');
    mkdirSync(build);
    for (const entry of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src'])
      cpSync(path.join(ROOT, entry), path.join(build, entry), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(build, 'node_modules'));
    await exec(NPM, ['run', 'build', '--silent'], { cwd: build });

    prod = path.join(work, 'prod');
    mkdirSync(prod);
    for (const entry of SHIPPED)
      cpSync(path.join(entry === 'dist' ? build : ROOT, entry), path.join(prod, entry), { recursive: true });
    await exec(NPM, ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: prod,
      env: { ...process.env, NODE_ENV: 'production' },
    });
    const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    mkdirSync(path.dirname(path.join(prod, addon)), { recursive: true });
    copyFileSync(path.join(ROOT, addon), path.join(prod, addon));
  } catch (error) {
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}, 170_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a production install (npm ci --omit=dev)', () => {
  it('has only runtime packages, and better-sqlite3 is the only one whose install script was skipped', () => {
    // Not typescript: it is an optional peer of valibot (under dcql), which npm keeps with --omit=dev.
    for (const tool of ['vitest', 'eslint', 'tsx', 'pino-pretty'])
      expect(existsSync(path.join(prod, 'node_modules', tool)), tool).toBe(false);
    const lock = JSON.parse(readFileSync(path.join(prod, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
    };
    const scripted = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && p.hasInstallScript && !p.dev)
      .map(([name]) => name);
    expect(scripted).toEqual(['node_modules/better-sqlite3']);
  });

  it('starts with npm start, reaches the listening line and answers /healthz', async () => {
    const dataDir = path.join(work, 'data');
    const child = spawn(NPM, ['start', '--silent'], {
      cwd: prod,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        HOOK_URL: 'https://hook.example.com/callback',
        MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global',
        INTERACTION_HOOK_SECRET: randomBytes(32).toString('base64'),
        SESSION_SECRET: randomBytes(32).toString('hex'),
        METRICS_TOKEN: randomBytes(16).toString('hex'),
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
        createInterface({ input: child.stdout }).on('line', (line) => {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg === 'interaction hook listening') resolve(parsed);
        });
        void exited.then((code) => reject(new Error(`npm start exited with ${code}: ${stderr}`)));
      });
      expect(listening).toMatchObject({ storage: 'sqlite' });
      const health = await fetch(`http://127.0.0.1:${String(listening.port)}/healthz`);
      expect(health.status).toBe(200);
      // The embedded database lands where DATA_DIR says, private to the hook's user.
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  }, 30_000);

  it('runs the interaction-hook command straight from its built file', async () => {
    const cli = path.join(prod, 'dist/cli/main.js');
    expect(readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(cli).mode & 0o111).toBe(0o111);
    const { stdout } = await exec(cli, ['--help'], { cwd: prod });
    expect(stdout).toContain('Usage: interaction-hook <command>');
    expect(stdout).toContain('doctor');
  });

  it('logs JSON when pretty logs are asked for but pino-pretty is not installed', async () => {
    const script =
      "const { createLogger } = await import('./dist/ops/logger.js'); createLogger({ level: 'info', pretty: true }).info('hello');";
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: prod });
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual([
      'pino-pretty is not installed (a development dependency), so the log stays JSON',
      'hello',
    ]);
  });
});

describe('npm start without a build', () => {
  it('says to build first and exits non-zero', async () => {
    const bare = mkdtempSync(path.join(tmpdir(), 'hook-unbuilt-'));
    try {
      for (const entry of ['package.json', 'scripts'])
        cpSync(path.join(ROOT, entry), path.join(bare, entry), { recursive: true });
      const failure = await exec(NPM, ['start', '--silent'], { cwd: bare }).then(
        () => null,
        (error: unknown) => error as { code: number; stderr: string },
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr).toContain('The interaction hook is not built');
      expect(failure?.stderr).toContain('npm ci && npm run build');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
