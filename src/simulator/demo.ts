import type { Server } from 'node:http';
import path from 'node:path';
import { DEFAULT_HOOK_CONFIG } from '../config/hook-config.js';
import { ConfigurationError, startHook } from '../start-hook.js';
import { startMailbox } from './mailbox.js';
import { createManagementApi } from './management-api.js';
import { createSimulator } from './tenant-simulator.js';

/**
 * `npm run demo`: the hook on its embedded default plus a simulated tenant, wired together, so the
 * whole journey can be walked in a browser with no real tenant.
 */
const hookPort = Number(process.env.PORT ?? 3000);
const tenantPort = Number(process.env.SIMULATOR_PORT ?? 3001);
const hookUrl = `http://localhost:${hookPort}/callback`;
const tenantUrl = `http://localhost:${tenantPort}`;
/** The simulator's management client: documented in the README, useless anywhere else. */
const DEMO_CLIENT = { id: 'demo-client', secret: 'demo-client-secret-for-the-local-simulator', role: 'admin' };

// The hook registers itself with the simulated tenant at start-up and fetches the secret, as
// with a real tenant; demo mode lets the tenant accept the http://localhost hook URL.
const management = createManagementApi({ tenantUrl, clients: [DEMO_CLIENT], demo: true, onNotice: (notice) => console.log(`  simulated tenant: ${notice}`) });
const simulator = createSimulator(management.tenantIdentity(hookUrl), { management });
const tenantServer: Server = simulator.app.listen(tenantPort, '127.0.0.1');
// A local mail server for the email-code step, with a page that lists what it received.
const mailbox = await startMailbox({ port: Number(process.env.MAILBOX_SMTP_PORT ?? 0) });
const mailboxPage = await mailbox.listenPage(Number(process.env.MAILBOX_PORT ?? 3002));

try {
  const hook = await startHook({
    ...process.env,
    HOOK_URL: hookUrl,
    MATTR_TENANT_URL: tenantUrl,
    MATTR_AUTH_URL: tenantUrl,
    MATTR_CLIENT_ID: DEMO_CLIENT.id,
    MATTR_CLIENT_SECRET: DEMO_CLIENT.secret,
    HOOK_REGISTER_ON_START: 'true',
    INTERACTION_HOOK_SECRET: '',
    INTERACTION_HOOK_PREVIOUS_SECRET: '',
    SMTP_URL: process.env.SMTP_URL || mailbox.smtpUrl,
    MAIL_FROM: process.env.MAIL_FROM || 'Example Issuer <no-reply@issuer.example>',
    // The demo shows both shipped steps; HOOK_CONFIG still chooses another file.
    HOOK_CONFIG: process.env.HOOK_CONFIG || path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'),
    NODE_ENV: process.env.NODE_ENV ?? 'development',
    HOST: process.env.HOST ?? '127.0.0.1',
    PORT: String(hookPort),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  console.log(`\n  Interaction hook demo: open ${tenantUrl}/ in a browser.\n  (hook at ${hookUrl}, simulated tenant at ${tenantUrl}; Ctrl+C stops both)\n`);
  console.log(`  Mail the hook sends (email-code steps, e.g. HOOK_CONFIG=content/examples/terms-email-code.config.json): ${mailboxPage}\n`);
  const stop = () => {
    tenantServer.close();
    void mailbox.close();
    hook.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  tenantServer.close();
  void mailbox.close();
  const problems = error instanceof ConfigurationError ? error.problems : [(error as Error).message];
  console.error(`The demo cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
