import { setTimeout as sleep } from 'node:timers/promises';
import { reasonOf, StorageUnavailableError } from './storage-unavailable.js';

export interface EngineTarget {
  /** "PostgreSQL" or "Redis". */
  engine: string;
  /** The variable the URL came from, so the operator knows what to fix. */
  variable: string;
  url: string;
}

/** Pause between start-up attempts. */
const RETRY_EVERY_MS = 1_000;

/**
 * Opens an engine at start-up, trying again while it is unreachable until `deadline` (epoch ms).
 * Only unreachability is retried: a refused password or a bad schema fails at once. The final
 * error names the engine, the variable and the server, never the credentials in the URL.
 */
export async function waitForEngine<T>(
  target: EngineTarget,
  deadline: number,
  open: () => Promise<T>,
  onRetry?: (message: string) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (!(error instanceof StorageUnavailableError)) throw error;
      const detail = `at ${serverOf(target.url)} (${target.variable}) cannot be reached: ${reasonOf(error.cause)}`;
      if (Date.now() + RETRY_EVERY_MS > deadline) {
        throw new StorageUnavailableError(target.engine, {
          cause: error.cause,
          detail: attempt > 1 ? `${detail} (gave up after ${attempt} attempts)` : detail,
        });
      }
      onRetry?.(`${target.engine} ${detail}; trying again`);
      await sleep(RETRY_EVERY_MS);
    }
  }
}

/** host:port/database of a server URL: enough to find it, without user or password. */
function serverOf(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
}
