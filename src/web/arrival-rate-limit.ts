import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import { hookError } from './error-codes.js';

/**
 * At most `perMinute` arrivals per client IP per minute (IPv6 by /56), answered beyond that with
 * 429, a Retry-After header and a page; 0 turns the limit off. Counted in this process's memory,
 * or in `store` when given: the shared storage's, counted by every replica (PostgreSQL, Redis), or
 * with WORKERS > 1 on SQLite the primary's, shared by every worker.
 */
export function arrivalRateLimit(perMinute: number, logger: Logger, store?: Store): RequestHandler {
  if (perMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    ...(store ? { store: countingWithin(store, COUNT_WAIT_MS) } : {}),
    // A count that cannot be had (the storage is away, or the primary did not answer within its
    // 1 s) lets the user in, logged: the limit is against floods, and a user's arrival is worth
    // more than one count.
    passOnStoreError: true,
    handler: (_req, _res, next) => next(hookError('rate_limited')),
    logger: {
      warn: (err, message) => logger.warn({ err }, message ?? 'rate limiter warning'),
      error: (err, message) => logger.error({ err }, message ?? 'rate limiter error'),
    },
  });
}

/**
 * How long an arrival waits for its count in a shared store (PostgreSQL, Redis, the primary's
 * memory) before it is let in, logged: as long as the cluster store waits for the primary. A
 * store that has stopped answering would otherwise hold every arrival for the engine's own
 * time limit before the arrival's storage check waits all over again.
 */
const COUNT_WAIT_MS = 1_000;

/** `store`, with each count given up on after `ms`; everything else passes through. */
function countingWithin(store: Store, ms: number): Store {
  return {
    localKeys: store.localKeys,
    prefix: store.prefix,
    init: (options) => store.init?.(options),
    increment: (key) => within(Promise.resolve(store.increment(key)), ms),
    decrement: (key) => store.decrement(key),
    resetKey: (key) => store.resetKey(key),
    ...(store.get ? { get: (key: string) => store.get?.(key) } : {}),
    ...(store.resetAll ? { resetAll: () => store.resetAll?.() } : {}),
    ...(store.shutdown ? { shutdown: () => store.shutdown?.() } : {}),
  };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the arrival count did not come within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
