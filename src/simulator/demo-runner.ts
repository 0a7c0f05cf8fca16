import { listenOn } from '../ops/listen.js';
import { ConfigurationError, startHook, type RunningHook } from '../start-hook.js';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import {
  cliInstructions,
  DEMO_CLIENT,
  DEMO_LICENCE_EXAMPLE,
  DEMO_MDL_EXAMPLE,
  DEMO_REQUEST_CERTIFICATE,
  demoEnvironment,
  demoStepsFiles,
  demoWalletDir,
  STEP_UP_CLIENT,
  stepsChoices,
} from './demo-environment.js';
import { issueDemoLicence } from './demo-licence.js';
import { issueDemoMdl } from './demo-mdl.js';
import { startMailbox } from './mailbox.js';
import { createManagementApi } from './management-api.js';
import { startLocalProvider } from './openid-provider.js';
import { createSimulator, SAMPLE_CLAIMS, type DemoSteps } from './tenant-simulator.js';

export interface RunningDemo {
  /** The variables the printed export block sets, for the steps file the hook runs now. */
  cliEnv(): Record<string, string>;
  close(): Promise<void>;
}

/**
 * `npm run demo`'s parts, started and wired together: the hook on its embedded default, a
 * simulated tenant, a local OpenID provider and a local mailbox. `print` gets what a person reads.
 * Rejects with a ConfigurationError (everything started is stopped again) when the hook cannot start.
 */
export async function runDemo(env: NodeJS.ProcessEnv, print: (text: string) => void): Promise<RunningDemo> {
  const demo = demoEnvironment(env);
  // The hook registers itself with the simulated tenant at start-up and fetches the secret, as
  // with a real tenant; demo mode lets the tenant accept the http://localhost hook URL.
  const management = createManagementApi({
    tenantUrl: demo.tenantUrl,
    clients: [DEMO_CLIENT],
    demo: true,
    onNotice: (notice) => print(`  simulated tenant: ${notice}`),
  });
  // A local mail server for the email-code step, with a page that lists what it received.
  const mailbox = await startMailbox({ port: demo.mailboxSmtpPort });
  const hookEnvFor = (file: string): NodeJS.ProcessEnv => ({
    ...demo.hookEnv,
    HOOK_CONFIG: file,
    SMTP_URL: demo.hookEnv.SMTP_URL || mailbox.smtpUrl,
  });
  let hook: RunningHook | undefined;
  let hookConfig = demo.hookConfig;
  // The mailbox's address, unless SMTP_URL names another server (then the user's own, not printed).
  const cliEnv = () => ({
    ...demo.cliEnv,
    ...(demo.hookEnv.SMTP_URL ? {} : { SMTP_URL: mailbox.smtpUrl }),
    HOOK_CONFIG: hookConfig,
  });
  // The start page's choice of steps file: the hook stops and starts again with the one picked, and
  // registers its claims with the simulated tenant anew.
  const demoSteps: DemoSteps = {
    choices: stepsChoices(demo.hookConfig, demoStepsFiles(demo.dataDir)),
    current: () => hookConfig,
    async choose(file) {
      await hook?.close();
      hook = undefined;
      hookConfig = file;
      // The registration adds to the claims registered before (an operator may have added some);
      // here the tenant is to send exactly what the new steps read, so it forgets the old ones.
      if (management.hook) management.register({ ...management.hook, claims: [] });
      hook = await startHook(hookEnvFor(file));
      print(`\n  The hook now runs the steps file ${file}.\n${indented(cliInstructions(cliEnv()))}\n`);
    },
  };
  // The demo wallet's licences, from issuers made now; the steps files that trust them are written beside.
  const issued = { dir: demoWalletDir(demo.dataDir), walletUrl: demo.walletUrl, person: SAMPLE_CLAIMS };
  const licence = await issueDemoLicence({ example: DEMO_LICENCE_EXAMPLE, ...issued });
  const mdl = await issueDemoMdl({ example: DEMO_MDL_EXAMPLE, ...issued });
  const wallet = {
    credentials: [licence.credential, mdl.credential],
    trustedVerifiers: [new X509Certificate(readFileSync(DEMO_REQUEST_CERTIFICATE))],
  };
  const simulator = createSimulator(management.tenantIdentity(demo.hookUrl), { management, demoSteps, wallet });
  const { server: tenantServer } = await listenOn(simulator.app, demo.tenantPort, '127.0.0.1');
  // For the step-up example (content/examples/terms-step-up.config.json, docs/step-oidc.md).
  const provider = await startLocalProvider({
    port: demo.providerPort,
    clientId: STEP_UP_CLIENT.id,
    clientSecret: STEP_UP_CLIENT.secret,
    redirectUris: [new URL('/interaction/return/oidc', demo.hookUrl).href],
    acrValues: ['urn:example:loa:2', 'urn:example:loa:1'],
  });
  const mailboxPage = await mailbox.listenPage(demo.mailboxPort);
  const close = async () => {
    tenantServer.close();
    await Promise.all([provider.close(), mailbox.close(), hook?.close()]);
  };

  try {
    // Warnings (http:// URLs) are logged while the hook starts, so they come before what to do next.
    hook = await startHook(hookEnvFor(hookConfig));
  } catch (error) {
    await close();
    throw error instanceof ConfigurationError ? error : new ConfigurationError([(error as Error).message]);
  }
  print(`
  Interaction hook demo: open ${demo.tenantUrl}/ in a browser.
  (hook at ${demo.hookUrl}, simulated tenant at ${demo.tenantUrl}, OpenID provider at ${provider.issuer}; Ctrl+C stops them)
  The hook runs the steps file ${hookConfig}.
  The mail the hook sends (email-code steps): ${mailboxPage}
  The demo wallet (steps that present a licence): ${demo.walletUrl}

${indented(cliInstructions(cliEnv()))}
`);
  return { cliEnv, close };
}

function indented(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '' : `  ${line}`))
    .join('\n');
}
