import { StorageUnavailableError } from '../../src/storage/storage-unavailable.js';
import { commitOf } from '../../src/storage/session-commit.js';
import type { SessionCommit, Storage } from '../../src/storage/ports.js';
import { recordDecision } from './record-decision.js';

/**
 * Makes the next session write (the next `which` picks) fail as a storage hiccup would (a 503, try again), then lets writes
 * through again. The decision the save carried is recorded all the same: what happens when the
 * sessions live in Redis and Redis fails just after PostgreSQL committed the decision. It breaks
 * the store itself rather than a table, so it holds for every engine.
 */
export function failNextSessionWrite(
  storage: Storage,
  which: (commit: SessionCommit | undefined) => boolean = () => true,
): void {
  const store = storage.sessions;
  // Put back on the same object below, so it is called with the right `this` again.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const set = store.set;
  store.set = (sid, data, callback) => {
    const commit = commitOf(data);
    // A write `which` passes over goes through as usual, and the next one is looked at again.
    if (!which(commit)) {
      set.call(store, sid, data, callback);
      return;
    }
    store.set = set;
    // As the Redis store does: a journey's last decision (with its way back) is not held up by its session.
    void (commit?.decision ? recordDecision(storage, commit.decision) : Promise.resolve(false)).then(() =>
      callback?.(
        commit?.completion ? undefined : new StorageUnavailableError(storage.engine, { detail: 'refused the write' }),
      ),
    );
  };
}
