import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkReadiness } from '../../src/ops/readiness.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';

let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture();
});
afterEach(async () => {
  await hook.close();
});

describe('GET /healthz', () => {
  it('answers 200 with a JSON body while the process runs, storage or not', async () => {
    const alive = await hook.browser().get('/healthz');
    expect(alive.status).toBe(200);
    expect(alive.headers['content-type']).toMatch(/^application\/json/);
    expect(alive.body).toEqual({ status: 'ok' });
    await hook.storage.close();
    expect((await hook.browser().get('/healthz')).status).toBe(200);
  });
});

describe('GET /readyz', () => {
  it('answers 200 with each check when storage, configuration and secret are there', async () => {
    const res = await hook.browser().get('/readyz');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      status: 'ready',
      checks: {
        storage: { ok: true, engine: hook.storage.engine },
        configuration: { ok: true, steps: 1 },
        secret: { ok: true },
        accepting: { ok: true },
      },
    });
    expect(
      (res.body as { checks: { storage: { latencyMs: number } } }).checks.storage.latencyMs,
    ).toBeGreaterThanOrEqual(0);
  });

  it('answers 503 naming the storage when the storage is down, and gives away no secret', async () => {
    await hook.storage.close();
    const res = await hook.browser().get('/readyz');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'not ready',
      checks: { storage: { ok: false, detail: 'the storage is unreachable' }, secret: { ok: true } },
    });
    for (const secret of [hook.secret, hook.settings.sessionSecret!, hook.dataDir])
      expect(res.text).not.toContain(secret);
    // A fixed sentence, never the error itself or a stack trace.
    expect(res.text).not.toMatch(/at .*\.js:\d+/);
  });

  it('is not ready while shutting down or while the storage does not answer in time', async () => {
    const base = { storage: hook.storage, steps: 1, hasSecret: true };
    expect((await checkReadiness({ ...base, draining: () => true })).checks.accepting).toEqual({
      ok: false,
      detail: 'shutting down',
    });
    const stuck = Object.create(hook.storage, { ping: { value: () => new Promise(() => {}) } }) as typeof hook.storage;
    const slow = await checkReadiness({ ...base, storage: stuck, draining: () => false, storageTimeoutMs: 50 });
    expect(slow.ready).toBe(false);
    expect(slow.checks.storage).toMatchObject({ ok: false, detail: 'the storage did not answer within 50 ms' });
    const none = await checkReadiness({ ...base, steps: 0, hasSecret: false, draining: () => false });
    expect(none.checks.configuration.ok).toBe(false);
    expect(none.checks.secret.ok).toBe(false);
  });

  it('keeps probes out of the info log and out of the session store', async () => {
    await hook.browser().get('/healthz');
    await hook.browser().get('/readyz');
    const lines = hook.logs.map(
      (l) => JSON.parse(l) as { level: number; req?: { path: string }; res?: { headers?: unknown } },
    );
    const probes = lines.filter((l) => l.req?.path === '/healthz' || l.req?.path === '/readyz');
    expect(probes.length).toBe(2);
    expect(probes.every((l) => l.level === 20)).toBe(true);
    const res = await hook.browser().get('/readyz');
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});
