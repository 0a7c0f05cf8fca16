import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManagementApi, type ManagementApi, type ManagementOptions } from '../../src/simulator/management-api.js';
import { createSimulator, type Simulator } from '../../src/simulator/tenant-simulator.js';

export const CLIENT_ID = 'hook-admin';
export const CLIENT_SECRET = 'client-secret-that-must-never-be-printed';
/** A hook URL the tenant's rules accept. */
export const REGISTERED_HOOK_URL = 'https://hook.example.com/callback';

export interface TenantServer {
  /** The tenant URL (also the auth server's): http://127.0.0.1:<port>. */
  url: string;
  management: ManagementApi;
  simulator: Simulator;
  /** The management variables pointing at this server, without retries (tests add them). */
  env: Record<string, string>;
  /** How many requests with this method reached the configuration endpoint. */
  count(method: 'GET' | 'PUT'): number;
  tokenRequests(): number;
  close(): Promise<void>;
}

/** The simulated tenant, auth server and management API on one real HTTP server, port 0. */
export async function tenantServer(options: Partial<Omit<ManagementOptions, 'tenantUrl'>> = {}): Promise<TenantServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const management = createManagementApi({
    tenantUrl: url,
    clients: [
      { id: CLIENT_ID, secret: CLIENT_SECRET, role: 'admin' },
      { id: 'verifier-only', secret: 'verifier-secret-value', role: 'verifier' },
    ],
    ...options,
  });
  const simulator = createSimulator(management.tenantIdentity(REGISTERED_HOOK_URL), { management });
  server.on('request', simulator.app);
  return {
    url,
    management,
    simulator,
    env: {
      MATTR_TENANT_URL: url,
      MATTR_AUTH_URL: url,
      MATTR_CLIENT_ID: CLIENT_ID,
      MATTR_CLIENT_SECRET: CLIENT_SECRET,
      MATTR_API_RETRIES: '0',
    },
    count: (method) =>
      management.calls.filter((c) => c.method === method && c.path.endsWith('/openid/configuration')).length,
    tokenRequests: () => management.calls.filter((c) => c.path === '/oauth/token').length,
    async close() {
      // fetch keeps connections alive; end them or close() waits for their idle timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
