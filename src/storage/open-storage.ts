import { existsSync } from 'node:fs';
import path from 'node:path';
import type { StorageSettings } from '../config/settings.js';
import type { Storage } from './ports.js';
import { openPostgres } from './postgres/open-postgres.js';
import { openRedisSessions } from './redis/redis-sessions.js';
import { openSqlite } from './sqlite/open-sqlite.js';
import { waitForEngine } from './wait-for-engine.js';

/** The file of the embedded default, inside DATA_DIR. */
const SQLITE_FILE = 'hook.db';

/**
 * Opens the storage the settings ask for: no DATABASE_URL → the SQLite file in DATA_DIR;
 * DATABASE_URL → PostgreSQL, with the sessions in Redis when REDIS_URL is set. Waits up to
 * STORAGE_WAIT_SECONDS for servers that cannot be reached yet, telling `onRetry` each time.
 */
export async function openStorage(
  settings: StorageSettings,
  options: { onRetry?: (message: string) => void } = {},
): Promise<Storage> {
  const { databaseUrl, redisUrl } = settings;
  if (databaseUrl === undefined) return openSqlite(path.join(settings.dataDir, SQLITE_FILE));

  const deadline = Date.now() + settings.storageWaitSeconds * 1000;
  const sessions =
    redisUrl === undefined
      ? undefined
      : await waitForEngine(
          { engine: 'Redis', variable: 'REDIS_URL', url: redisUrl },
          deadline,
          () => openRedisSessions({ url: redisUrl, prefix: settings.redisKeyPrefix }),
          options.onRetry,
        );
  try {
    return await waitForEngine(
      { engine: 'PostgreSQL', variable: 'DATABASE_URL', url: databaseUrl },
      deadline,
      () => openPostgres({ url: databaseUrl, poolSize: settings.databasePoolSize, sessions }),
      options.onRetry,
    );
  } catch (error) {
    await sessions?.close();
    throw error;
  }
}

/**
 * Why there is no hook database where these settings point, or null: for commands that read or
 * change what the server keeps (the ledger, passkeys), where opening the embedded file would make
 * an empty one and report nothing.
 */
export function missingDatabase(settings: StorageSettings): string | null {
  if (settings.databaseUrl !== undefined) return null;
  const file = path.join(settings.dataDir, SQLITE_FILE);
  return existsSync(file)
    ? null
    : `There is no hook database at ${file}. Set DATA_DIR to the directory the server uses.`;
}
