import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createClient } from 'redis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { csrfFrom, hookFixture, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { TEST_ENGINE } from '../support/storage-engine.js';

/**
 * No signed token outlives its use at rest: the way back (the tenant's URL with our token) is kept
 * only in the ledger's completions while a second tap may need it, never in the session, and is
 * gone from every table, the session store and the SQLite file once its window has passed.
 */
let hook: HookFixture;
beforeEach(async () => {
  hook = await hookFixture();
});
afterEach(async () => {
  await hook.close();
});

/**
 * What the engine keeps, as text: with `tables`, those tables' rows (and on Redis, the sessions);
 * without, everything — the SQLite file's bytes, or every PostgreSQL table and Redis value.
 */
async function stored(tables?: string[]): Promise<string> {
  if (TEST_ENGINE === 'sqlite') {
    const file = path.join(hook.dataDir, 'hook.db');
    const db = new Database(file);
    try {
      if (tables)
        return tables
          .flatMap((t) =>
            db
              .prepare(`SELECT * FROM ${t}`)
              .all()
              .map((row) => JSON.stringify(row)),
          )
          .join('\n');
      // What the WAL holds goes into the file, and the WAL is emptied: the file is all there is.
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    return readFileSync(file).toString('latin1') + readFileSync(`${file}-wal`).toString('latin1');
  }
  const client = new pg.Client({ connectionString: hook.settings.databaseUrl });
  await client.connect();
  const texts: string[] = [];
  try {
    const { rows } = await client.query<{ name: string }>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
    );
    for (const { name } of rows) {
      if (tables && !tables.includes(name)) continue;
      const found = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
      texts.push(...found.rows.map((r) => r.row));
    }
  } finally {
    await client.end();
  }
  if (hook.settings.redisUrl !== undefined && (!tables || tables.includes('sessions'))) {
    const redis = createClient({ url: hook.settings.redisUrl });
    await redis.connect();
    try {
      for await (const batch of redis.scanIterator({ MATCH: `${hook.settings.redisKeyPrefix}*` })) {
        for (const key of batch) if ((await redis.type(key)) === 'string') texts.push((await redis.get(key)) ?? '');
      }
    } finally {
      await redis.close();
    }
  }
  return texts.join('\n');
}

describe('a finished journey keeps no token at rest', () => {
  for (const decision of ['accept', 'decline'] as const) {
    it(`after "${decision}": the same way back to a second tap within the window, kept out of the session, and gone from storage after it`, async () => {
      const browser = hook.browser();
      const { token: arrivalToken } = await hook.mint({ claims: { given_name: 'Mere' } });
      const arrival = await browser.get(`/callback?session_token=${arrivalToken}`);
      const interactionPath = arrival.headers.location!;
      const page = await browser.get(interactionPath);
      const form = { _csrf: csrfFrom(page.text), accept_terms: 'yes', decision };
      const first = await browser.post(interactionPath).type('form').send(form);
      expect(first.status).toBe(303);
      const url = first.headers.location!;
      expect(new URL(url).origin).toBe(TENANT_URL);
      const token = new URL(url).searchParams.get('session_token')!;
      expect(token.split('.')).toHaveLength(3);

      // Within the window: the same redirect and the same token, read from the ledger's completions.
      const again = await browser.post(interactionPath).type('form').send(form);
      expect(again.status).toBe(303);
      expect(again.headers.location).toBe(url);
      const sessions = await stored(['sessions']);
      expect(sessions).toContain(interactionPath.split('/').pop());
      expect(sessions).not.toContain(token);
      expect(await stored(['completions'])).toContain(token);

      // After it: never served again, and deleted by the prune the server runs every minute.
      hook.clock.advance(61);
      const late = await browser.post(interactionPath).type('form').send(form);
      expect(late.status).toBe(409);
      expect(late.headers.location).toBeUndefined();
      expect(late.text).not.toContain(token);
      expect(await hook.storage.pruneExpired(hook.clock.now())).toBeGreaterThanOrEqual(1);
      const atRest = await stored();
      // The search itself can see: the journey's ledger row is there.
      expect(atRest).toContain(interactionPath.split('/').pop());
      expect(atRest).not.toContain(token);
      expect(atRest).not.toContain(token.split('.')[2]);
      expect(atRest).not.toContain(url);
      expect(atRest).not.toContain(encodeURIComponent(url));
    });
  }
});
