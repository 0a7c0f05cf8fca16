import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManagementApi } from '../../src/simulator/management-api.js';
import { cliInstructions, DEMO_CLIENT, DEMO_HOOK_CONFIG, demoEnvironment } from '../../src/simulator/demo-environment.js';
import { createSimulator } from '../../src/simulator/tenant-simulator.js';
import { startHook, type RunningHook } from '../../src/start-hook.js';
import { runCommand } from '../support/run-command.js';

/** `npm run demo` as wired by its own module, with the simulated tenant on a free port. */
let tenant: Server;
let hook: RunningHook | undefined;
let dataDir: string;
let demo: ReturnType<typeof demoEnvironment>;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-demo-'));
  tenant = createServer();
  await new Promise<void>((resolve) => tenant.listen(0, '127.0.0.1', resolve));
  // The hook's own port stays what its URL says; it only has to be registered, not reached.
  demo = demoEnvironment({ PATH: process.env.PATH, SIMULATOR_PORT: String((tenant.address() as AddressInfo).port), PORT: '3999', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const management = createManagementApi({ tenantUrl: demo.tenantUrl, clients: [DEMO_CLIENT], demo: true });
  tenant.on('request', createSimulator(management.tenantIdentity(demo.hookUrl), { management }).app);
  hook = await startHook({ ...demo.hookEnv, PORT: '0' });
});
afterEach(async () => {
  await hook?.close();
  tenant.closeAllConnections();
  await new Promise<void>((resolve) => tenant.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('doctor against the demo, with the environment the demo prints', () => {
  it('finds nothing to fix: the claims registered are those the demo’s steps read', async () => {
    const doctor = await runCommand('doctor', ['--json'], demo.cliEnv);
    const checks = (JSON.parse(doctor.out) as { checks: Array<{ name: string; status: string; detail: string }> }).checks;
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    expect(checks.find((c) => c.name === 'claims')?.detail).toBe('the tenant sends what the steps read: given_name, email, birthdate');
    expect(doctor.code).toBe(0);
  });

  it('prints every variable of that environment as one export block, HOOK_CONFIG included', () => {
    const text = cliInstructions(demo.cliEnv);
    expect(demo.cliEnv.HOOK_CONFIG).toBe(DEMO_HOOK_CONFIG);
    for (const [name, value] of Object.entries(demo.cliEnv)) expect(text).toContain(`${name}=${value}`);
    expect(text).toMatch(/^ {4}export MATTR_TENANT_URL=/m);
    expect(text).toContain('npm run hook -- doctor');
    expect(cliInstructions({ HOOK_CONFIG: "/my steps/it's.json" })).toContain(`HOOK_CONFIG='/my steps/it'\\''s.json'`);
  });

  it('without the demo’s HOOK_CONFIG, warns about the claims but says which steps file it read', async () => {
    const { HOOK_CONFIG: _omitted, ...withoutSteps } = demo.cliEnv;
    const doctor = await runCommand('doctor', [], withoutSteps);
    expect(doctor.out).toMatch(
      /warn {2}claims +the tenant also sends email, birthdate, which no step of \S+content\/hook\.config\.json reads — fix: check that HOOK_CONFIG names the steps file the hook runs with/,
    );
  });
});
