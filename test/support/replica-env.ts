import { randomBytes } from 'node:crypto';
import { HOOK_URL, TENANT_URL } from './hook-fixture.js';
import type { EngineSandbox } from './storage-engine.js';

/**
 * The environment every replica of one deployment shares: the same secrets, data directory and
 * storage, each listening on a port of its own (PORT=0). Callers add what their run needs.
 */
export function replicaEnv(sandbox: EngineSandbox, dataDir: string, secret = randomBytes(32).toString('base64')) {
  return {
    NODE_ENV: 'test' as const,
    HOOK_URL,
    MATTR_TENANT_URL: TENANT_URL,
    INTERACTION_HOOK_SECRET: secret,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    ...sandbox.env,
    DATABASE_POOL_SIZE: '10',
  };
}
