import { StorageUnavailableError } from '../../src/storage/storage-unavailable.js';
import type { Storage } from '../../src/storage/storage.js';

/**
 * Makes the next session write fail as a storage hiccup would (a 503, try again), then lets writes
 * through again. It breaks the store itself rather than a table, so it holds for every engine the
 * sessions can live in, Redis included.
 */
export function failNextSessionWrite(storage: Storage): void {
  const store = storage.sessions;
  // Put back on the same object below, so it is called with the right `this` again.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const set = store.set;
  store.set = (_sid, _data, callback) => {
    store.set = set;
    process.nextTick(() => callback?.(new StorageUnavailableError(storage.engine, { detail: 'refused the write' })));
  };
}
