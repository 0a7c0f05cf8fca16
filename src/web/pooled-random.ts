import { randomBytes } from 'node:crypto';

let pool = Buffer.alloc(0);
let used = 0;

/**
 * `count` random bytes, drawn from the system 4 KiB at a time (as randomUUID does for its own):
 * a system call for every id was a measurable share of a journey's CPU. No byte is handed out
 * twice. The answer is a view into the pool: read it at once, never keep or change it.
 */
export function pooledRandom(count: number): Buffer {
  if (used + count > pool.length) {
    pool = randomBytes(Math.max(4096, count));
    used = 0;
  }
  used += count;
  return pool.subarray(used - count, used);
}
