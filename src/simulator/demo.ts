import type { Server } from 'node:http';
import { processEnvironment } from '../config/load-configuration.js';
import { ConfigurationError, startHook, type RunningHook } from '../start-hook.js';
import { cliInstructions, DEMO_CLIENT, DEMO_STEPS_FILES, demoEnvironment, STEP_UP_CLIENT } from './demo-environment.js';
import { startMailbox } from './mailbox.js';
import { createManagementApi } from './management-api.js';
import { startLocalProvider } from './openid-provider.js';
import { createSimulator, type DemoSteps } from './tenant-simulator.js';

/**
 * `npm run demo`: the hook on its embedded default plus a simulated tenant and a local OpenID
 * provider, wired together, so every journey can be walked in a browser with no outside service.
 */
const demo = demoEnvironment(processEnvironment());

// The hook registers itself with the simulated tenant at start-up and fetches the secret, as
// with a real tenant; demo mode lets the tenant accept the http://localhost hook URL.
const management = createManagementApi({ tenantUrl: demo.tenantUrl, clients: [DEMO_CLIENT], demo: true, onNotice: (notice) => console.log(`  simulated tenant: ${notice}`) });
let hook: RunningHook | undefined;
let hookConfig = demo.hookConfig;
// The start page's choice of steps file: the hook stops and starts again with the one picked, and
// registers its claims with the simulated tenant anew.
const demoSteps: DemoSteps = {
  choices: DEMO_STEPS_FILES,
  current: () => hookConfig,
  async choose(file) {
    await hook?.close();
    hook = undefined;
    hookConfig = file;
    hook = await startHook(hookEnvFor(file));
    console.log(`\n  The hook now runs the steps file ${file}.\n${indented(cliInstructions({ ...demo.cliEnv, HOOK_CONFIG: file }))}\n`);
  },
};
const simulator = createSimulator(management.tenantIdentity(demo.hookUrl), { management, demoSteps });
const tenantServer: Server = simulator.app.listen(demo.tenantPort, '127.0.0.1');
// For the step-up example (content/examples/terms-step-up.config.json, docs/step-oidc.md).
const provider = await startLocalProvider({
  port: demo.providerPort,
  clientId: STEP_UP_CLIENT.id,
  clientSecret: STEP_UP_CLIENT.secret,
  redirectUris: [new URL('/interaction/return/oidc', demo.hookUrl).href],
  acrValues: ['urn:example:loa:2', 'urn:example:loa:1'],
});
// A local mail server for the email-code step, with a page that lists what it received.
const mailbox = await startMailbox({ port: demo.mailboxSmtpPort });
const mailboxPage = await mailbox.listenPage(demo.mailboxPort);

function indented(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
}

function hookEnvFor(file: string): NodeJS.ProcessEnv {
  return { ...demo.hookEnv, HOOK_CONFIG: file, SMTP_URL: demo.hookEnv.SMTP_URL || mailbox.smtpUrl };
}

try {
  // Warnings (http:// URLs) are logged while the hook starts, so they come before what to do next.
  hook = await startHook(hookEnvFor(hookConfig));
  console.log(`
  Interaction hook demo: open ${demo.tenantUrl}/ in a browser.
  (hook at ${demo.hookUrl}, simulated tenant at ${demo.tenantUrl}, OpenID provider at ${provider.issuer}; Ctrl+C stops them)
  The mail the hook sends (email-code steps): ${mailboxPage}

${indented(cliInstructions(demo.cliEnv))}
`);
  const stop = () => {
    tenantServer.close();
    void provider.close();
    void mailbox.close();
    (hook?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  tenantServer.close();
  await provider.close();
  void mailbox.close();
  const problems = error instanceof ConfigurationError ? error.problems : [(error as Error).message];
  console.error(`The demo cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
