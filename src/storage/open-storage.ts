import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { SqliteStorage } from './sqlite-storage.js';
import type { Storage } from './storage.js';

/** The file of the embedded default, inside DATA_DIR. */
export const SQLITE_FILE = 'hook.db';

/** Opens the storage the settings ask for. */
export async function openStorage(settings: Pick<Settings, 'dataDir'>): Promise<Storage> {
  return new SqliteStorage(path.join(settings.dataDir, SQLITE_FILE));
}
