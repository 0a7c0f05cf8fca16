import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretFingerprint } from '../../src/mattr/hook-secret.js';
import { runCommand, type CommandResult } from '../support/run-command.js';
import { CLIENT_SECRET, REGISTERED_HOOK_URL, tenantServer, type TenantServer } from '../support/tenant-server.js';

let tenant: TenantServer;
let dir: string;
/** Every hook secret the tenant has held during the test. */
let secretsSeen: Set<string>;
beforeEach(async () => {
  tenant = await tenantServer();
  dir = mkdtempSync(path.join(tmpdir(), 'hook-cli-'));
  secretsSeen = new Set([tenant.management.secret]);
});
afterEach(async () => {
  await tenant.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a command against the simulated tenant with HOOK_URL set, and checks on every run that no
 * hook secret and no client secret appears anywhere in what it printed unless --show-secret.
 */
async function cli(name: string, args: string[] = [], env: Record<string, string> = {}): Promise<CommandResult> {
  const result = await runCommand(name, args, { ...tenant.env, HOOK_URL: REGISTERED_HOOK_URL, ...env });
  secretsSeen.add(tenant.management.secret);
  expect(result.all).not.toContain(CLIENT_SECRET);
  if (!args.includes('--show-secret')) {
    for (const secret of [...secretsSeen, env.INTERACTION_HOOK_SECRET, env.INTERACTION_HOOK_PREVIOUS_SECRET]) {
      if (secret) expect(result.all).not.toContain(secret);
    }
  }
  return result;
}

describe('register', () => {
  it('registers once, prints what changed, and a second run changes nothing and makes no PUT', async () => {
    const first = await cli('register');
    expect(first.code).toBe(0);
    expect(first.out).toContain(`Registered the hook at ${tenant.url}:`);
    expect(first.out).toContain(`url: (none) → ${REGISTERED_HOOK_URL}`);
    expect(first.out).toContain('claims: (none) → given_name');
    expect(first.out).toContain('sessionTimeoutInSec: (none) → 1200');
    expect(first.out).toContain('The secret is not shown. Write it to a file with --secret-file FILE');
    expect(tenant.management.hook).toEqual({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    expect(tenant.count('PUT')).toBe(1);

    const second = await cli('register');
    expect(second.code).toBe(0);
    expect(second.out).toContain('already registered');
    expect(second.out).toContain('nothing changed');
    expect(tenant.count('PUT')).toBe(1);
    expect(tenant.count('GET')).toBe(2);
  });

  it('changes only what differs, keeps claims already registered, and never re-enables a disabled hook', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['email'],
      sessionTimeoutInSec: 1200,
      disabled: true,
    });
    const result = await cli('register', ['--session-timeout', '600']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('Updated the hook registration');
    expect(result.out).toContain('claims: email → email, given_name');
    expect(result.out).toContain('sessionTimeoutInSec: 1200 → 600');
    expect(result.out).not.toContain('url:');
    expect(result.out).toContain('The hook is disabled');
    expect(tenant.management.hook).toEqual({
      url: REGISTERED_HOOK_URL,
      claims: ['email', 'given_name'],
      sessionTimeoutInSec: 600,
      disabled: true,
    });
  });

  it('registers exactly the claims given and warns when a step needs one left out', async () => {
    const result = await cli('register', [
      '--claims',
      'email, family_name',
      '--url',
      'https://other.example.com/hook/',
    ]);
    expect(result.code).toBe(0);
    expect(tenant.management.hook).toMatchObject({
      url: 'https://other.example.com/hook',
      claims: ['email', 'family_name'],
    });
    expect(result.out).toContain('Warning: the steps read given_name, which the tenant is not asked to send.');
  });

  it('writes the secret to a file with mode 0600, replacing a looser file', async () => {
    const file = path.join(dir, 'hook-secret');
    writeFileSync(file, 'old', { mode: 0o644 });
    const result = await cli('register', ['--secret-file', file]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Secret written to ${file} (mode 0600).`);
    expect(readFileSync(file, 'utf8')).toBe(tenant.management.secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('says so, and fails, when the secret file cannot be written', async () => {
    const result = await cli('register', ['--secret-file', path.join(dir, 'missing-dir', 'secret')]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('Could not write the secret');
    expect(result.err).toContain('ENOENT');
  });

  it('prints the secret only with --show-secret', async () => {
    const result = await cli('register', ['--show-secret']);
    expect(result.out).toContain(`Secret: ${tenant.management.secret}`);
  });

  it('warns that the tenant issued a new secret when the PUT rotated it', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 900,
      disabled: false,
    });
    tenant.management.switches.rotateSecretOnPut = true;
    const before = tenant.management.secret;
    const result = await cli('register', [], { INTERACTION_HOOK_SECRET: before });
    expect(tenant.management.secret).not.toBe(before);
    expect(result.out).toContain('The tenant issued a NEW secret');
    expect(result.out).toContain('INTERACTION_HOOK_SECRET in this environment is not the registered secret');
  });

  it.each([
    ['http://hook.example.com/callback', 'HTTPS'],
    ['https://203.0.113.7/callback', 'host is not an IP address'],
    ['https://[2001:db8::1]/callback', 'host is not an IP address'],
    ['https://hook.example.com/callback?x=1', 'no query string'],
    ['https://hook.example.com/callback?', 'no query string'],
    ['https://hook.example.com/callback#top', 'no fragment'],
    ['https://user:pw@hook.example.com/callback', 'no user or password'],
    ['hook.example.com/callback', 'valid URL'],
  ])('refuses %s locally, naming the rule "%s", without calling the tenant', async (url, rule) => {
    const result = await cli('register', ['--url', url]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`--url breaks the rule "${rule}"`);
    expect(result.err).toContain('Nothing was sent to the tenant.');
    expect(tenant.management.calls).toEqual([]);
  });

  it("prints the tenant's 400 message and details", async () => {
    // http://localhost passes the local rules only because this tenant is a local simulator; the
    // simulator outside demo mode refuses it, as the real tenant would.
    const result = await cli('register', ['--url', 'http://localhost:3000/callback']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('The tenant refused the request (400 BadRequest): Validation Error');
    expect(result.err).toContain(
      '  - interactionHook.url (in the body): Must be a URL using the https protocol; sent "http://localhost:3000/callback"',
    );
  });

  it('explains refused client credentials with exit code 1', async () => {
    const result = await cli('register', [], { MATTR_CLIENT_SECRET: 'not-the-secret' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('The auth server refused the client credentials (401 access_denied: Unauthorized)');
    expect(result.all).not.toContain('not-the-secret');
    expect(tenant.count('GET')).toBe(0);
  });

  it('names every missing variable and exits 1', async () => {
    const result = await runCommand('register', [], {
      HOOK_URL: REGISTERED_HOOK_URL,
      MATTR_TENANT_URL: 'https://acme.example.com',
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('MATTR_CLIENT_ID is required');
    expect(result.err).toContain('MATTR_CLIENT_SECRET is required');
  });

  it('answers wrong usage with exit code 2 and the help', async () => {
    for (const args of [
      ['--nope'],
      ['--session-timeout', 'soon'],
      ['--session-timeout', '5'],
      ['--claims', 'a b'],
      ['extra'],
    ]) {
      const result = await cli('register', args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.err).toContain('Usage: interaction-hook register');
    }
    expect(tenant.management.calls).toEqual([]);
    const none = await runCommand('register', [], tenant.env);
    expect(none.code).toBe(2);
    expect(none.err).toContain('No hook URL: pass --url or set HOOK_URL.');
  });
});

describe('status', () => {
  it('exits 1 when nothing is registered', async () => {
    const result = await cli('status');
    expect(result.code).toBe(1);
    expect(result.out).toContain('No interaction hook is registered');
  });

  it('shows the configuration with the secret masked, or shown with --show-secret, or as JSON', async () => {
    await cli('register');
    const masked = await cli('status');
    expect(masked.code).toBe(0);
    expect(masked.out).toContain(`Hook URL:         ${REGISTERED_HOOK_URL}`);
    expect(masked.out).toContain('Claims:           given_name');
    expect(masked.out).toContain('State:            enabled');
    expect(masked.out).toContain(
      `Secret:           ******** (fingerprint ${secretFingerprint(tenant.management.secret)})`,
    );

    const shown = await cli('status', ['--show-secret']);
    expect(shown.out).toContain(`Secret:           ${tenant.management.secret}`);

    const json = JSON.parse((await cli('status', ['--json'])).out) as Record<string, unknown>;
    expect(json).toEqual({
      tenantUrl: tenant.url,
      registered: true,
      interactionHook: {
        url: REGISTERED_HOOK_URL,
        claims: ['given_name'],
        sessionTimeoutInSec: 1200,
        disabled: false,
        secretFingerprint: secretFingerprint(tenant.management.secret),
      },
    });
    const jsonShown = JSON.parse((await cli('status', ['--json', '--show-secret'])).out) as {
      interactionHook: { secret: string };
    };
    expect(jsonShown.interactionHook.secret).toBe(tenant.management.secret);
  });
});

describe('enable and disable', () => {
  it('flip only `disabled`, and do nothing when it is already so', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name', 'email'],
      sessionTimeoutInSec: 900,
      disabled: false,
    });
    const off = await cli('disable');
    expect(off.code).toBe(0);
    expect(off.out).toContain('is now disabled');
    expect(tenant.management.hook).toEqual({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name', 'email'],
      sessionTimeoutInSec: 900,
      disabled: true,
    });

    const again = await cli('disable');
    expect(again.out).toContain('already disabled; nothing changed');
    expect(tenant.count('PUT')).toBe(1);

    const on = await cli('enable');
    expect(on.out).toContain('is now enabled');
    expect(tenant.management.hook?.disabled).toBe(false);
    expect(tenant.count('PUT')).toBe(2);
  });

  it('refuse to act on a tenant with no hook', async () => {
    const result = await cli('enable');
    expect(result.code).toBe(1);
    expect(result.err).toContain('No interaction hook is registered');
    expect(tenant.count('PUT')).toBe(0);
  });
});

describe('help', () => {
  it.each(['register', 'status', 'enable', 'disable', 'doctor'])(
    '%s --help prints its usage and exits 0',
    async (name) => {
      const result = await runCommand(name, ['--help'], {});
      expect(result.code).toBe(0);
      expect(result.out).toContain(`Usage: interaction-hook ${name}`);
      expect(result.out).toContain('Exit codes:');
    },
  );
});

describe('doctor', () => {
  /** A complete, correct environment for the hook registered at the simulated tenant. */
  function goodEnv(): Record<string, string> {
    return {
      INTERACTION_HOOK_SECRET: tenant.management.secret,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dir,
    };
  }

  it('names each missing variable once, though two loaders check it', async () => {
    const result = await runCommand('doctor', [], {});
    expect(result.code).toBe(1);
    const environment = result.all.split('\n').find((line) => line.includes('environment')) ?? '';
    expect(environment.match(/MATTR_TENANT_URL is required/g)).toHaveLength(1);
    expect(environment).toContain('HOOK_URL is required');
    expect(environment).toContain('MATTR_CLIENT_ID is required');
  });

  it('passes every check on a good setup', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    const result = await cli('doctor', [], goodEnv());
    expect(result.code).toBe(0);
    const lines = result.out.trim().split('\n');
    expect(
      lines.map((l) =>
        l
          .split(/\s{2,}/)
          .slice(0, 2)
          .join(' '),
      ),
    ).toEqual([
      'ok environment',
      'ok steps file',
      'ok hook URL',
      'ok credentials',
      'ok tenant',
      'ok registered URL',
      'ok enabled',
      'ok secret',
      'ok claims',
      'ok session timeout',
      'No check failed.',
    ]);
    expect(result.out).toContain('INTERACTION_HOOK_SECRET is the registered secret');
  });

  it('names each broken part of a bad setup with its fix, and never prints either secret', async () => {
    tenant.management.register({
      url: 'https://old.example.com/callback',
      claims: ['email'],
      sessionTimeoutInSec: 300,
      disabled: true,
    });
    const wrong = randomBytes(32).toString('base64');
    const result = await cli('doctor', [], { ...goodEnv(), INTERACTION_HOOK_SECRET: wrong });
    expect(result.code).toBe(1);
    const line = (name: string) => result.out.split('\n').find((l) => l.split(/\s{2,}/)[1] === name) ?? '';
    expect(line('environment')).toMatch(/^ok/);
    expect(line('registered URL')).toMatch(/^fail/);
    expect(line('registered URL')).toContain(
      `the tenant sends users to https://old.example.com/callback, but HOOK_URL is ${REGISTERED_HOOK_URL}`,
    );
    expect(line('registered URL')).toContain('fix: run "interaction-hook register"');
    expect(line('enabled')).toMatch(/^fail.*fix: run "interaction-hook enable"/);
    expect(line('secret')).toMatch(/^fail.*INTERACTION_HOOK_SECRET is not the registered secret/);
    expect(line('claims')).toMatch(/^fail.*the steps read given_name, which the tenant is not asked to send/);
    expect(line('session timeout')).toMatch(/^warn.*the tenant allows 300 s, the hook 1200 s/);
    expect(result.out).toContain('4 check(s) failed.');
    expect(result.all).not.toContain(wrong);
  });

  it('notices swapped secret variables', async () => {
    tenant.management.register({
      url: REGISTERED_HOOK_URL,
      claims: ['given_name'],
      sessionTimeoutInSec: 1200,
      disabled: false,
    });
    const other = randomBytes(32).toString('base64');
    const result = await cli('doctor', [], {
      ...goodEnv(),
      INTERACTION_HOOK_SECRET: other,
      INTERACTION_HOOK_PREVIOUS_SECRET: tenant.management.secret,
    });
    expect(result.out).toMatch(
      /fail\s+secret\s+INTERACTION_HOOK_PREVIOUS_SECRET is the registered secret.*fix: swap the two variables/,
    );
  });

  it('stops at refused credentials and skips what depends on them', async () => {
    const result = await cli('doctor', ['--json'], { ...goodEnv(), MATTR_CLIENT_SECRET: 'wrong-client-secret' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as {
      ok: boolean;
      checks: Array<{ name: string; status: string; fix?: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => `${c.status} ${c.name}`)).toEqual([
      'ok environment',
      'ok steps file',
      'ok hook URL',
      'fail credentials',
      'skip tenant',
      'skip registered URL',
      'skip enabled',
      'skip secret',
      'skip claims',
      'skip session timeout',
    ]);
    expect(report.checks[3]!.fix).toBe('check MATTR_CLIENT_ID, MATTR_CLIENT_SECRET and MATTR_AUTH_URL');
  });

  it('reports an incomplete environment and a broken hook URL without calling anyone', async () => {
    const result = await runCommand('doctor', [], { HOOK_URL: 'https://198.51.100.4/callback?a=b', DATA_DIR: dir });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^fail\s+environment\s+.*MATTR_TENANT_URL is required.*MATTR_CLIENT_ID is required/m);
    expect(result.out).toMatch(
      /^fail\s+hook URL\s+HOOK_URL breaks the rule "host is not an IP address".*HOOK_URL breaks the rule "no query string"/m,
    );
    expect(result.out).toMatch(/^skip\s+credentials\s+not checked: needs the management variables/m);
    expect(tenant.management.calls).toEqual([]);
  });
});

describe('the interaction-hook process', () => {
  /** The real entry point in a child process, as a script would run it. */
  async function processRun(args: string[], env: Record<string, string>) {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', 'src/cli/main.ts', ...args],
        { env: { PATH: process.env.PATH ?? '', ...env } },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('sets the exit code scripts rely on and never prints the secret', async () => {
    const env = { ...tenant.env, HOOK_URL: REGISTERED_HOOK_URL };
    expect((await processRun(['status', '--json'], env)).code).toBe(1);
    const registered = await processRun(['register'], env);
    expect(registered.code).toBe(0);
    expect(registered.stdout).toContain('Registered the hook');
    const status = await processRun(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ registered: true });
    for (const output of [registered, status])
      expect(output.stdout + output.stderr).not.toContain(tenant.management.secret);
  });
});
