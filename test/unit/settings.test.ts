import { describe, expect, it } from 'vitest';
import { loadSettings, workerCount } from '../../src/config/settings.js';

const SECRET = Buffer.alloc(32, 7).toString('base64');
const good = {
  HOOK_URL: 'https://hook.example.com/callback',
  MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global',
  INTERACTION_HOOK_SECRET: SECRET,
};

describe('loadSettings', () => {
  it('reads a minimal environment with the documented defaults', () => {
    const result = loadSettings(good);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings).toMatchObject({
      nodeEnv: 'development',
      hookUrl: 'https://hook.example.com/callback',
      tenantUrl: 'https://tenant.vii.au01.mattr.global',
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      clockToleranceSeconds: 30,
      interactionTimeoutSeconds: 1200,
      trustProxy: false,
    });
    expect([...result.settings.redirectOrigins]).toEqual(['https://tenant.vii.au01.mattr.global']);
    expect(result.warnings).toEqual([]);
  });

  it('serves from one process unless WORKERS asks for more, and refuses a WORKERS that is not 1 to 64', () => {
    const one = loadSettings(good);
    expect(one.ok && one.settings.workers).toBe(1);
    const two = loadSettings({ ...good, WORKERS: '2' });
    expect(two.ok && two.settings.workers).toBe(2);
    for (const bad of ['0', '65', '1.5', 'all']) {
      expect(loadSettings({ ...good, WORKERS: bad })).toEqual({
        ok: false,
        errors: [`WORKERS must be a whole number from 1 to 64, got "${bad}"`],
      });
      // The supervisor then starts no workers: the hook itself reports the problem and exits.
      expect(workerCount({ WORKERS: bad })).toBe(1);
    }
    expect(workerCount({ WORKERS: '3' })).toBe(3);
    expect(workerCount({})).toBe(1);
  });

  it('keeps a replaced hook secret for 15 minutes unless PREVIOUS_SECRET_GRACE_SECONDS says otherwise, from 0 to a day', () => {
    const byDefault = loadSettings(good);
    expect(byDefault.ok && byDefault.settings.previousSecretGraceSeconds).toBe(900);
    const none = loadSettings({ ...good, PREVIOUS_SECRET_GRACE_SECONDS: '0' });
    expect(none.ok && none.settings.previousSecretGraceSeconds).toBe(0);
    for (const bad of ['-1', '86401', '15m', '1.5']) {
      expect(loadSettings({ ...good, PREVIOUS_SECRET_GRACE_SECONDS: bad })).toEqual({
        ok: false,
        errors: [`PREVIOUS_SECRET_GRACE_SECONDS must be a whole number from 0 to 86400, got "${bad}"`],
      });
    }
  });

  it('removes a trailing slash and never adds one', () => {
    const result = loadSettings({
      ...good,
      HOOK_URL: 'https://hook.example.com/',
      MATTR_TENANT_URL: 'https://tenant.vii.au01.mattr.global/',
    });
    expect(result.ok && [result.settings.hookUrl, result.settings.tenantUrl]).toEqual([
      'https://hook.example.com',
      'https://tenant.vii.au01.mattr.global',
    ]);
  });

  it('names every bad or missing variable in its own message', () => {
    const result = loadSettings({
      HOOK_URL: 'hook.example.com',
      INTERACTION_HOOK_SECRET: 'short',
      PORT: '70000',
      CLOCK_TOLERANCE_SECONDS: 'soon',
      LOG_LEVEL: 'loud',
      MATTR_REDIRECT_ORIGINS: 'ftp://x.example',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.errors.join('\n');
    for (const name of [
      'HOOK_URL',
      'MATTR_TENANT_URL',
      'INTERACTION_HOOK_SECRET',
      'PORT',
      'CLOCK_TOLERANCE_SECONDS',
      'LOG_LEVEL',
      'MATTR_REDIRECT_ORIGINS',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).not.toContain('short');
  });

  it('refuses a hook URL with a query string or fragment', () => {
    const result = loadSettings({ ...good, HOOK_URL: 'https://hook.example.com/callback?x=1' });
    expect(!result.ok && result.errors).toEqual(['HOOK_URL must not have a query string or fragment']);
  });

  it('requires SESSION_SECRET in production, and warns about http URLs without refusing them', () => {
    const prod = loadSettings({ ...good, NODE_ENV: 'production' });
    expect(!prod.ok && prod.errors.join()).toContain('SESSION_SECRET is required when NODE_ENV=production');
    const local = loadSettings({
      ...good,
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(32),
      HOOK_URL: 'http://127.0.0.1:3000/callback',
    });
    expect(local.ok).toBe(true);
    expect(local.ok && local.warnings.join()).toContain('HOOK_URL uses http://');
  });

  it('reads TRUST_PROXY as a boolean, a hop count or a list', () => {
    const read = (v: string) => {
      const r = loadSettings({ ...good, TRUST_PROXY: v });
      return r.ok ? r.settings.trustProxy : undefined;
    };
    expect([read('true'), read('false'), read('2'), read('loopback, 10.0.0.0/8')]).toEqual([
      true,
      false,
      2,
      'loopback, 10.0.0.0/8',
    ]);
  });
});
