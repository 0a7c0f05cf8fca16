import type { Server } from 'node:http';
import { ConfigurationError, startHook } from '../start-hook.js';
import { cliInstructions, DEMO_CLIENT, demoEnvironment } from './demo-environment.js';
import { createManagementApi } from './management-api.js';
import { createSimulator } from './tenant-simulator.js';

/**
 * `npm run demo`: the hook on its embedded default plus a simulated tenant, wired together, so the
 * whole journey can be walked in a browser with no real tenant.
 */
const demo = demoEnvironment(process.env);

// The hook registers itself with the simulated tenant at start-up and fetches the secret, as
// with a real tenant; demo mode lets the tenant accept the http://localhost hook URL.
const management = createManagementApi({ tenantUrl: demo.tenantUrl, clients: [DEMO_CLIENT], demo: true, onNotice: (notice) => console.log(`  simulated tenant: ${notice}`) });
const simulator = createSimulator(management.tenantIdentity(demo.hookUrl), { management });
const tenantServer: Server = simulator.app.listen(demo.tenantPort, '127.0.0.1');

try {
  // Warnings (http:// URLs) are logged while the hook starts, so they come before what to do next.
  const hook = await startHook(demo.hookEnv);
  console.log(`
  Interaction hook demo: open ${demo.tenantUrl}/ in a browser.
  (hook at ${demo.hookUrl}, simulated tenant at ${demo.tenantUrl}; Ctrl+C stops both)

${cliInstructions(demo.cliEnv)
  .split('\n')
  .map((line) => (line === '' ? '' : `  ${line}`))
  .join('\n')}
`);
  const stop = () => {
    tenantServer.close();
    hook.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  tenantServer.close();
  const problems = error instanceof ConfigurationError ? error.problems : [(error as Error).message];
  console.error(`The demo cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
