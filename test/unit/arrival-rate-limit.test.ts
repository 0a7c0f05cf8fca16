import { Writable } from 'node:stream';
import express from 'express';
import { MemoryStore, type Store } from 'express-rate-limit';
import pino from 'pino';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { arrivalRateLimit } from '../../src/web/arrival-rate-limit.js';

function appWith(store: Store | undefined, perMinute = 2) {
  const lines: string[] = [];
  const logger = pino(
    new Writable({
      write(chunk, _e, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const app = express();
  app.get('/callback', arrivalRateLimit(perMinute, logger, store), (_req, res) => {
    res.status(204).end();
  });
  return { app, lines };
}

describe('the arrival limit with a store of its own', () => {
  it('counts through the given store, and refuses the arrival past the limit', async () => {
    const { app } = appWith(new MemoryStore());
    expect((await request(app).get('/callback')).status).toBe(204);
    expect((await request(app).get('/callback')).status).toBe(204);
    expect((await request(app).get('/callback')).status).toBe(429);
  });

  it('lets the arrival in, and logs why, when the store does not answer within a second', async () => {
    const silent: Store = {
      increment: () => new Promise(() => undefined),
      decrement: async () => undefined,
      resetKey: async () => undefined,
    };
    const { app, lines } = appWith(silent);
    // Without the bound this request would wait for ever.
    expect((await request(app).get('/callback')).status).toBe(204);
    expect(lines.join('')).toContain('the arrival count did not come within 1000 ms');
  });

  it('lets the arrival in when the store fails outright', async () => {
    const failing: Store = {
      increment: async () => {
        throw new Error('engine away');
      },
      decrement: async () => undefined,
      resetKey: async () => undefined,
    };
    const { app, lines } = appWith(failing);
    expect((await request(app).get('/callback')).status).toBe(204);
    expect(lines.join('')).toContain('engine away');
  });
});
