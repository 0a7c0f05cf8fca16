import type { Store } from 'express-rate-limit';
import { RedisStore, type SendCommandFn } from 'rate-limit-redis';

/**
 * rate-limit-redis, whose scripts are loaded again on the next arrival when loading them failed
 * (Redis away just as the limiter was made): the library retries only when Redis has forgotten
 * them, so one failed load would otherwise leave the limit off until a restart.
 */
class ArrivalCounts extends RedisStore {
  override async increment(key: string) {
    this.incrementScriptSha = this.incrementScriptSha.catch(() => this.loadIncrementScript());
    return super.increment(key);
  }
}

/**
 * Arrival counts in Redis, shared by every replica, under `prefix`. `send` is the hook's own
 * client (no second connection) with its failures and timeouts already made StorageUnavailableError.
 */
export function redisArrivalCounts(send: SendCommandFn, prefix: string): Store {
  return new ArrivalCounts({ sendCommand: send, prefix });
}
