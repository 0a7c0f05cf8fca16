import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startHook, type RunningHook, type StartOptions } from '../../src/start-hook.js';
import { REGISTERED_HOOK_URL, type TenantServer } from './tenant-server.js';

/**
 * Starts the real server (port 0, the registered hook URL) against the simulated tenant, with its
 * management credentials, keeping its data in `dataDir` and its log lines in `logs`.
 */
export function startAgainstTenant(
  tenant: TenantServer,
  dataDir: string,
  logs: string[],
  env: Record<string, string> = {},
  options?: StartOptions,
): Promise<RunningHook> {
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _e, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  );
  return startHook(
    {
      NODE_ENV: 'test',
      HOOK_URL: REGISTERED_HOOK_URL,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: '0',
      ...tenant.env,
      ...env,
    },
    logger,
    options,
  );
}
