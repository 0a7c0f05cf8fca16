import { pooledRandom } from './pooled-random.js';

/**
 * A random id that sorts by the time it was made: 12 hex digits of milliseconds, then `bytes`
 * random bytes (base64url), as unguessable as the random part alone. Ids made close together
 * land next to each other in a database index, so a batch of new rows dirties a few pages at the
 * index's end instead of one random page each — every dirtied page is written whole to the WAL,
 * and again at the checkpoint.
 */
export function timeOrderedId(bytes: number, now = Date.now()): string {
  return now.toString(16).padStart(12, '0') + pooledRandom(bytes).toString('base64url');
}
