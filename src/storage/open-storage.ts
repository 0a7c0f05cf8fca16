import path from 'node:path';
import type { StorageLocation } from '../config/settings.js';
import { PostgresStorage } from './postgres-storage.js';
import { openRedisSessions } from './redis-sessions.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';
import { waitForEngine } from './wait-for-engine.js';

/** The file of the embedded default, inside DATA_DIR. */
export const SQLITE_FILE = 'hook.db';

export type StorageSettings = StorageLocation;

/**
 * Opens the storage the settings ask for: no DATABASE_URL → the SQLite file in DATA_DIR;
 * DATABASE_URL → PostgreSQL, with the sessions in Redis when REDIS_URL is set. Waits up to
 * STORAGE_WAIT_SECONDS for servers that cannot be reached yet, telling `onRetry` each time.
 */
export async function openStorage(settings: StorageSettings, options: { onRetry?: (message: string) => void } = {}): Promise<Storage> {
  const { databaseUrl, redisUrl } = settings;
  if (databaseUrl === undefined) return new SqliteStorage(path.join(settings.dataDir, SQLITE_FILE));

  const deadline = Date.now() + settings.storageWaitSeconds * 1000;
  const sessions =
    redisUrl === undefined
      ? undefined
      : await waitForEngine({ engine: 'Redis', variable: 'REDIS_URL', url: redisUrl }, deadline, () => openRedisSessions({ url: redisUrl, prefix: settings.redisKeyPrefix }), options.onRetry);
  try {
    return await waitForEngine(
      { engine: 'PostgreSQL', variable: 'DATABASE_URL', url: databaseUrl },
      deadline,
      () => PostgresStorage.open({ url: databaseUrl, poolSize: settings.databasePoolSize, sessions }),
      options.onRetry,
    );
  } catch (error) {
    await sessions?.close();
    throw error;
  }
}
