import { RedisStore } from 'connect-redis';
import type { SessionData } from 'express-session';
import type { RedisReply } from 'rate-limit-redis';
import { createClient, ErrorReply } from 'redis';
import type { ExternalSessions } from '../postgres/open-postgres.js';
import type { PostgresClient } from '../postgres/postgres-client.js';
import { commitOf } from '../session-commit.js';
import { sessionCommitStatements } from '../sql/session-commit-statements.js';
import { StorageUnavailableError } from '../storage-unavailable.js';
import { redisArrivalCounts } from './arrival-counts.js';

const ENGINE = 'Redis';
/** Reconnection backoff after a lost connection: doubling from 100 ms, at most 2 s apart. */
const RECONNECT_MAX_MS = 2_000;
/**
 * How long a request waits for Redis to answer. node-redis has no reply timeout for a command
 * already sent, so a Redis that keeps its connection but stops answering is given up on here.
 */
const ANSWER_TIMEOUT_MS = 5_000;

type Callback = NonNullable<Parameters<RedisStore['get']>[1]>;

/**
 * connect-redis with every failure turned into StorageUnavailableError, so the page is a 503. What
 * a session commit carries (a claim, a decision) is written to PostgreSQL first, and the session
 * only once that has committed: two engines cannot share a transaction, and the journey treats a
 * decision without its session as "decided before". Redis is asked first whether it answers, so
 * that a token is not spent while the session could not be kept.
 */
class FailClosedRedisStore extends RedisStore {
  constructor(
    options: ConstructorParameters<typeof RedisStore>[0],
    private readonly sql: PostgresClient,
    private readonly ping: () => Promise<void>,
  ) {
    super(options);
  }
  override get(sid: string, cb?: Callback) {
    return super.get(sid, failClosed(cb));
  }
  override set(sid: string, session: SessionData, cb?: Callback) {
    const commit = commitOf(session);
    if (!commit) return super.set(sid, session, failClosed(cb));
    const written = (commit.claim ? this.ping() : Promise.resolve()).then(() =>
      this.sql.commit(sessionCommitStatements(this.sql, commit)),
    );
    written.then(
      // The journey's last decision and its way back are durable in PostgreSQL: a session Redis
      // cannot keep now must not hold the user back from the tenant (a repeat finds the way back there).
      () => {
        void super.set(
          sid,
          session,
          commit.completion
            ? failClosed(() => {
                cb?.();
              })
            : failClosed(cb),
        );
      },
      (error: unknown) => {
        cb?.(error);
      },
    );
    return Promise.resolve();
  }
  override destroy(sid: string, cb?: Callback) {
    return super.destroy(sid, failClosed(cb));
  }
}

/**
 * connect-redis has a `touch` (an EXPIRE per request that changes nothing); the hook's stores have
 * none, see `sessions()` in web/sessions.ts. express-session looks for the method on the store.
 */
function withoutTouch(store: RedisStore): RedisStore {
  return Object.defineProperty(store, 'touch', { value: undefined });
}

/** Wraps express-session's callback: errors become StorageUnavailableError, silence too after a while. */
function failClosed(cb: Callback | undefined): Callback | undefined {
  if (!cb) return undefined;
  let settled = false;
  const finish: Callback = (err, data) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    const failed = err !== undefined && err !== null;
    cb(
      failed && !(err instanceof StorageUnavailableError) ? new StorageUnavailableError(ENGINE, { cause: err }) : err,
      data,
    );
  };
  const timer = setTimeout(() => {
    finish(new StorageUnavailableError(ENGINE, { detail: 'did not answer in time' }));
  }, ANSWER_TIMEOUT_MS);
  return finish;
}

/**
 * A command's answer, or StorageUnavailableError when there is no connection or no answer in time.
 * An error Redis answers with stays as it is: rate-limit-redis reads NOSCRIPT from its message.
 */
function answered<T>(command: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new StorageUnavailableError(ENGINE, { detail: 'did not answer in time' })),
      ANSWER_TIMEOUT_MS,
    );
  });
  const failed = command.catch((error: unknown) => {
    throw error instanceof ErrorReply || error instanceof StorageUnavailableError
      ? error
      : new StorageUnavailableError(ENGINE, { cause: error });
  });
  return Promise.race([failed, late]).finally(() => clearTimeout(timer));
}

/** Connects to Redis for the sessions and arrival counts; throws StorageUnavailableError when it cannot be reached. */
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
  const ping = () =>
    new Promise<void>((resolve, reject) => {
      const done = failClosed((err: unknown) => {
        if (err === undefined || err === null) resolve();
        else reject(err instanceof Error ? err : new StorageUnavailableError(ENGINE));
      });
      client.ping().then(
        () => {
          done?.(undefined);
        },
        (error: unknown) => {
          done?.(error);
        },
      );
    });
  return {
    engine: 'redis',
    store: (sql) => withoutTouch(new FailClosedRedisStore({ client, prefix: options.prefix }, sql, ping)),
    // Beside the sessions, under the same prefix, so that deployments sharing a Redis stay apart.
    arrivalCounts: () =>
      redisArrivalCounts((...args) => answered(client.sendCommand<RedisReply>(args)), `${options.prefix}arrivals:`),
    ping,
    async close() {
      // Requests have finished by the time storage closes, so nothing is waited for: a Redis that
      // hangs must not hold up a shutdown.
      if (client.isOpen) client.destroy();
    },
  };
}
