import { loadStorageSettings } from '../config/settings.js';
import { missingDatabase, openStorage } from '../storage/open-storage.js';
import type { Storage } from '../storage/ports.js';
import { EXIT, type CommandIo } from './command.js';

/**
 * Opens the storage the server uses, from the same environment (DATA_DIR, DATABASE_URL), for
 * `work`, and closes it; `work` gives the exit code. `what` names what the command reads or
 * changes, for its error message.
 */
export async function withStorage(
  io: CommandIo,
  what: string,
  work: (storage: Storage) => Promise<number>,
): Promise<number> {
  const loaded = loadStorageSettings(io.env);
  if (!loaded.ok) {
    for (const problem of loaded.errors) io.err.write(`${problem}\n`);
    return EXIT.usage;
  }
  const missing = missingDatabase(loaded.settings);
  if (missing !== null) {
    // Opening would create empty storage and report nothing: name the mistake instead.
    io.err.write(`${missing}\n`);
    return EXIT.failed;
  }
  let storage: Storage | undefined;
  try {
    storage = await openStorage(loaded.settings);
    return await work(storage);
  } catch (error) {
    io.err.write(`${what} could not be read or changed: ${(error as Error).message}\n`);
    return EXIT.failed;
  } finally {
    await storage?.close();
  }
}
