import { freePort } from '../../bench/processes.js';
import { runDemo, type RunningDemo } from '../../src/simulator/demo-runner.js';

/** The ports of the demo's parts, each free on this machine. */
export interface DemoPorts {
  hook: number;
  tenant: number;
  provider: number;
  mailbox: number;
}

export async function demoPorts(): Promise<DemoPorts> {
  return { hook: await freePort(), tenant: await freePort(), provider: await freePort(), mailbox: await freePort() };
}

/** `npm run demo` as wired by its own module, on `ports` and `dataDir`, with `env` added; `print` gets what a person reads. */
export function runDemoOn(
  ports: DemoPorts,
  dataDir: string,
  env: Record<string, string>,
  print: (text: string) => void,
): Promise<RunningDemo> {
  const demoEnv = {
    PATH: process.env.PATH,
    PORT: String(ports.hook),
    SIMULATOR_PORT: String(ports.tenant),
    OIDC_PROVIDER_PORT: String(ports.provider),
    MAILBOX_PORT: String(ports.mailbox),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...env,
  };
  return runDemo(demoEnv, print);
}
