import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cliInstructions,
  DEMO_HOOK_CONFIG,
  demoStepsFiles,
  stepsChoices,
} from '../../src/simulator/demo-environment.js';
import type { RunningDemo } from '../../src/simulator/demo-runner.js';
import { demoPorts, runDemoOn, type DemoPorts } from '../support/demo-on-free-ports.js';
import { runCommand } from '../support/run-command.js';

/**
 * `npm run demo` as wired by its own module (hook, simulated tenant, mailbox, OpenID provider on
 * free ports), and `doctor` run with exactly the variables of the export block it prints, read
 * back through a shell as a person pasting it would.
 */
let dataDir: string;
let running: RunningDemo | undefined;
let printed: string;
let ports: DemoPorts;

beforeEach(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-demo-'));
  printed = '';
  ports = await demoPorts();
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

async function startDemo(env: Record<string, string> = {}): Promise<void> {
  running = await runDemoOn(ports, dataDir, env, (text) => (printed += `${text}\n`));
}

/** The variables of the last export block printed, as a shell reads them. */
function exportedVariables(): Record<string, string> {
  const block = printed.slice(printed.lastIndexOf('export '));
  const lines = block.slice(0, block.indexOf('npm run hook -- doctor'));
  const env = execFileSync('bash', ['-c', `${lines}\nenv -0`], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  return Object.fromEntries(
    env
      .split('\0')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Runs doctor with the printed variables; the steps file it read. `checks`: names of checks that must be among the ok ones. */
async function doctorFindsNothingToFix(checks: readonly string[] = []): Promise<string> {
  const env = exportedVariables();
  const doctor = await runCommand('doctor', ['--json'], env);
  const found = (JSON.parse(doctor.out) as { checks: Array<{ name: string; status: string; detail: string }> }).checks;
  expect(found.filter((c) => c.status !== 'ok')).toEqual([]);
  expect(found.map((c) => c.name)).toEqual(expect.arrayContaining([...checks]));
  expect(doctor.code).toBe(0);
  return env.HOOK_CONFIG!;
}

/** The step-up example, naming this run's provider port instead of the demo's default 3002. */
function stepUpCopy(dir: string): string {
  const example = path.join(path.dirname(DEMO_HOOK_CONFIG), 'terms-step-up.config.json');
  const steps = JSON.parse(readFileSync(example, 'utf8')) as {
    issuer: { logo?: string };
    steps: Array<Record<string, unknown>>;
  };
  const absolute = (relative: string) => path.resolve(path.dirname(example), relative);
  if (steps.issuer.logo !== undefined) steps.issuer.logo = absolute(steps.issuer.logo);
  for (const step of steps.steps) {
    if (step.type === 'oidc') step.issuer = `http://127.0.0.1:${ports.provider}`;
    if (step.type === 'terms')
      step.documents = Object.fromEntries(
        Object.entries(step.documents as Record<string, string>).map(([lang, file]) => [lang, absolute(file)]),
      );
  }
  const file = path.join(dir, 'steps.json');
  writeFileSync(file, JSON.stringify(steps));
  return file;
}

describe('doctor against the demo, with the export block it prints', () => {
  it('finds nothing to fix for each steps choice the start page offers, picked there', async () => {
    await startDemo();
    expect(await doctorFindsNothingToFix()).toBe(DEMO_HOOK_CONFIG);
    // The built-in step-up file names the provider at the demo's default port; its copy on this
    // run's port is the HOOK_CONFIG case below.
    const offered = demoStepsFiles(dataDir);
    expect(offered.map((choice) => choice.label)).toEqual(
      expect.arrayContaining([
        'Terms and a licence presented from the wallet',
        'Terms and a driving licence (mDL) presented from the wallet',
      ]),
    );
    for (const [index, choice] of offered.entries()) {
      if (choice.file.endsWith('terms-step-up.config.json') || choice.file === DEMO_HOOK_CONFIG) continue;
      const picked = await fetch(`http://localhost:${ports.tenant}/demo/steps`, {
        method: 'POST',
        body: new URLSearchParams({ steps: String(index), subject: 's', claims: '{}' }),
      });
      expect(picked.status).toBe(200);
      expect(await picked.text()).toContain(`The hook runs now: <strong>${choice.label}</strong>`);
      // The licence choices: the request certificate names the demo's HOOK_URL host, the demo issuer
      // (SD-JWT) or IACA root made at this start (mDL) is listed and current.
      const presents = {
        'Terms and a licence presented from the wallet': 'licence',
        'Terms and a driving licence (mDL) presented from the wallet': 'mdl',
      }[choice.label];
      const checks = presents
        ? [`request certificate (${presents})`, `request certificate dates (${presents})`, `trust (${presents})`]
        : [];
      expect(await doctorFindsNothingToFix(checks)).toBe(choice.file);
    }
  }, 120_000);

  it('finds nothing to fix with HOOK_CONFIG set (step-up), and the start page shows that file as the one running', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-demo-steps-'));
    try {
      const file = stepUpCopy(dir);
      await startDemo({ HOOK_CONFIG: file });
      expect(await doctorFindsNothingToFix()).toBe(file);
      expect(exportedVariables()).toMatchObject({
        STEP_UP_CLIENT_SECRET: expect.any(String),
        SMTP_URL: expect.stringMatching(/^smtp:\/\/127\.0\.0\.1:\d+$/),
        MAIL_FROM: expect.any(String),
      });
      const start = await (await fetch(`http://localhost:${ports.tenant}/`)).text();
      expect(start).toMatch(/<option value="0" selected>HOOK_CONFIG: [^<]*steps\.json<\/option>/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('prints every variable as one export block that a shell reads back unchanged', () => {
    const env = {
      MATTR_TENANT_URL: 'http://localhost:3001',
      HOOK_CONFIG: "/my steps/it's.json",
      MAIL_FROM: 'Example Issuer <no-reply@issuer.example>',
    };
    const text = cliInstructions(env);
    expect(text).toMatch(/^ {4}export MATTR_TENANT_URL=/m);
    expect(text).toContain('npm run hook -- doctor');
    expect(text).toContain(`HOOK_CONFIG='/my steps/it'\\''s.json'`);
    printed = text;
    expect(exportedVariables()).toMatchObject(env);
  });

  it('offers the steps file HOOK_CONFIG names first when it is none of the shipped ones, and the shipped list otherwise', () => {
    const offered = demoStepsFiles('/data');
    expect(stepsChoices(DEMO_HOOK_CONFIG, offered)).toBe(offered);
    const own = stepsChoices('/somewhere/own.json', offered);
    expect(own[0]).toEqual({ label: expect.stringContaining('own.json'), file: '/somewhere/own.json' });
    expect(own.slice(1)).toEqual(offered);
  });

  it('without the demo’s HOOK_CONFIG, doctor warns about the claims but says which steps file it read', async () => {
    await startDemo();
    const { HOOK_CONFIG: _omitted, ...withoutSteps } = exportedVariables();
    const doctor = await runCommand('doctor', [], withoutSteps);
    expect(doctor.out).toMatch(
      /warn {2}claims +the tenant also sends email, birthdate, which no step of \S+content\/hook\.config\.json reads — fix: check that HOOK_CONFIG names the steps file the hook runs with/,
    );
  }, 60_000);
});
