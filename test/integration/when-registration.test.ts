import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/registration/doctor-checks.js';
import { ConfigurationError, type RunningHook } from '../../src/start-hook.js';
import { startAgainstTenant } from '../support/hook-against-tenant.js';
import { runCommand } from '../support/run-command.js';
import { REGISTERED_HOOK_URL, tenantServer, type TenantServer } from '../support/tenant-server.js';

/**
 * The claims a step's `when` reads are claims the tenant is asked to send: the registration asks
 * for them, and wherever the claims asked for are fixed or known otherwise, one left out is an
 * error that names the claim and the step.
 */
let tenant: TenantServer;
let dir: string;
let running: RunningHook | undefined;
let env: Record<string, string>;
const UNASKED = 'the "when" of step "privacy" reads the claim "email_verified", which the tenant is not asked to send';

beforeEach(async () => {
  tenant = await tenantServer();
  dir = mkdtempSync(path.join(tmpdir(), 'hook-when-registration-'));
  writeFileSync(path.join(dir, 'terms.txt'), 'These are the terms.');
  const file = path.join(dir, 'steps.json');
  writeFileSync(
    file,
    JSON.stringify({
      steps: [
        { type: 'terms', version: '1', greetingClaim: 'given_name', documents: { en: 'terms.txt' } },
        {
          type: 'terms',
          id: 'privacy',
          version: '1',
          documents: { en: 'terms.txt' },
          when: { not: { claim: 'email_verified', equals: true } },
        },
      ],
    }),
  );
  env = {
    ...tenant.env,
    HOOK_URL: REGISTERED_HOOK_URL,
    HOOK_CONFIG: file,
    DATA_DIR: dir,
    SESSION_SECRET: randomBytes(32).toString('hex'),
  };
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await tenant.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('register and a when', () => {
  it('asks the tenant for the claims a when reads', async () => {
    const result = await runCommand('register', [], env);
    expect(result.code).toBe(0);
    expect(tenant.management.hook?.claims).toEqual(['given_name', 'email_verified']);
  });

  it('refuses --claims that leave one out, naming the claim and the step, and sends nothing', async () => {
    const result = await runCommand('register', ['--claims', 'given_name'], env);
    expect(result.code).toBe(1);
    expect(result.err).toContain(UNASKED);
    expect(result.err).toContain('Nothing was sent to the tenant.');
    expect(tenant.count('PUT')).toBe(0);
    // A claim a step only greets with may still be left out: a warning, as before.
    const greeting = await runCommand('register', ['--claims', 'email_verified'], env);
    expect(greeting.code).toBe(0);
    expect(greeting.out).toContain('Warning: the steps read given_name, which the tenant is not asked to send.');
  });
});

/** The problems start-up named; starting at all, or failing otherwise, fails the test. */
async function startRefused(startEnv: Record<string, string>): Promise<readonly string[]> {
  const error = await startAgainstTenant(tenant, dir, [], startEnv).then(
    (hook) => {
      running = hook;
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(error instanceof ConfigurationError))
    throw new Error(`start-up was not refused for its configuration: ${String(error)}`);
  return error.problems;
}

describe('start-up and a when', () => {
  it('refuses to start when the registration it reads does not ask for a claim a when reads', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    const problems = await startRefused(env);
    expect(problems).toEqual([expect.stringContaining(UNASKED)]);
  });

  it('refuses to start on a when with an unknown operator or a wrong type, naming where it is', async () => {
    const file = path.join(dir, 'bad-steps.json');
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          { type: 'terms', version: '1', documents: { en: 'terms.txt' }, when: { claim: 'email_verified', is: true } },
          {
            type: 'terms',
            id: 'privacy',
            version: '1',
            documents: { en: 'terms.txt' },
            when: { any: [{ claim: 'acr', in: 'loa2' }] },
          },
        ],
      }),
    );
    const problems = await startRefused({ ...env, HOOK_CONFIG: file, HOOK_REGISTER_ON_START: 'true' });
    expect(problems.join('\n')).toContain(`HOOK_CONFIG ${file}: steps.0.when: unknown operator "is"`);
    expect(problems.join('\n')).toContain(`HOOK_CONFIG ${file}: steps.1.when.any.0.in: `);
    // Refused before the tenant was asked for anything.
    expect(tenant.count('PUT')).toBe(0);
  });

  it('registers the claim at start-up when asked to, and starts', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    running = await startAgainstTenant(tenant, dir, [], { ...env, HOOK_REGISTER_ON_START: 'true' });
    expect(tenant.management.hook?.claims).toEqual(['given_name', 'email_verified']);
  });
});

describe('doctor and a when', () => {
  it('fails the claims check, naming the claim and the step', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    const checks = await runDoctor({ ...env, INTERACTION_HOOK_SECRET: tenant.management.secret });
    expect(checks.find((check) => check.name === 'claims')).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining(UNASKED),
      fix: 'run "interaction-hook register"',
    });
  });
});
