import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import { createClient } from 'redis';
import type { ExternalSessions } from './postgres-storage.js';
import { StorageUnavailableError } from './storage-unavailable.js';

const ENGINE = 'Redis';
/** Reconnection backoff after a lost connection: doubling from 100 ms, at most 2 s apart. */
const RECONNECT_MAX_MS = 2_000;

type Callback = NonNullable<Parameters<RedisStore['get']>[1]>;

/** connect-redis with every failure turned into StorageUnavailableError, so the page is a 503. */
class FailClosedRedisStore extends RedisStore {
  override get(sid: string, cb?: Callback) {
    return super.get(sid, failClosed(cb));
  }
  override set(sid: string, session: SessionData, cb?: Callback) {
    return super.set(sid, session, failClosed(cb));
  }
  override touch(sid: string, session: SessionData, cb?: Callback) {
    return super.touch(sid, session, failClosed(cb));
  }
  override destroy(sid: string, cb?: Callback) {
    return super.destroy(sid, failClosed(cb));
  }
}

function failClosed(cb: Callback | undefined): Callback {
  return (err, data) => {
    const error = err ? new StorageUnavailableError(ENGINE, { cause: err }) : err;
    if (cb) return cb(error, data);
    if (error) throw error;
    return data;
  };
}

/** Connects to Redis for the sessions; throws StorageUnavailableError when it cannot be reached. */
export async function openRedisSessions(options: { url: string; prefix: string }): Promise<ExternalSessions> {
  let connected = false;
  const client = createClient({
    url: options.url,
    // While Redis is away, a command fails at once (and the page says so) instead of waiting in a queue.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 5_000,
      // The first connection is tried once (start-up has its own bounded retry); after that, forever.
      reconnectStrategy: (retries, cause) => (connected ? Math.min(100 * 2 ** retries, RECONNECT_MAX_MS) : cause),
    },
  });
  // Errors surface on the requests that need Redis; the client keeps reconnecting by itself.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // The reconnect strategy has already closed the client.
    throw new StorageUnavailableError(ENGINE, { cause: error });
  }
  connected = true;
  return {
    engine: 'redis',
    store: new FailClosedRedisStore({ client, prefix: options.prefix }),
    async ping() {
      try {
        await client.ping();
      } catch (error) {
        throw new StorageUnavailableError(ENGINE, { cause: error });
      }
    },
    async close() {
      if (!client.isOpen) return;
      if (client.isReady) await client.close();
      else client.destroy();
    },
  };
}
