import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const TSX = path.resolve('node_modules/.bin/tsx');

describe('the server process', () => {
  it('exits with 1 and one plain line per problem when the environment is bad — no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-start-'));
    try {
      const run = spawnSync(TSX, ['src/server.ts'], {
        env: { PATH: process.env.PATH, HOOK_URL: 'not a url', PORT: 'x', DATA_DIR: dir, NODE_ENV: 'production' },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('The interaction hook cannot start:');
      expect(run.stderr).toContain('  - HOOK_URL must be an absolute URL');
      expect(run.stderr).toContain('  - MATTR_TENANT_URL is required');
      expect(run.stderr).toContain('  - PORT must be a whole number');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits with 1 naming the file when the steps file is broken', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-start-'));
    try {
      const run = spawnSync(TSX, ['src/server.ts'], {
        env: {
          PATH: process.env.PATH,
          HOOK_URL: 'http://127.0.0.1:1/callback',
          MATTR_TENANT_URL: 'http://127.0.0.1:2',
          INTERACTION_HOOK_SECRET: Buffer.alloc(32, 1).toString('base64'),
          DATA_DIR: dir,
          HOOK_CONFIG: path.join(dir, 'missing.json'),
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`HOOK_CONFIG ${path.join(dir, 'missing.json')}: file not found`);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
