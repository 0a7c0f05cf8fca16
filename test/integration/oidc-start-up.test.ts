import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { oidcStepType } from '../../src/interaction/steps/oidc/index.js';
import { oidcStepSchema } from '../../src/interaction/steps/oidc/oidc-schema.js';
import { runDoctor } from '../../src/registration/doctor-checks.js';
import { startLocalProvider, type LocalProvider } from '../../src/simulator/openid-provider.js';
import { offlineServices } from '../support/offline-services.js';
import { CLIENT_ID, CLIENT_SECRET, REDIRECT_URI } from '../support/oidc-journey.js';

let provider: LocalProvider;
let dir: string;
beforeAll(async () => {
  provider = await startLocalProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
  });
  dir = mkdtempSync(path.join(tmpdir(), 'oidc-start-'));
});
afterAll(async () => {
  await provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

function configFor(issuer: string) {
  const entry = oidcStepSchema.parse({
    type: 'oidc',
    id: 'step-up',
    issuer,
    clientId: CLIENT_ID,
    clientSecretVariable: 'STEP_UP_CLIENT_SECRET',
  });
  const loaded = oidcStepType.load(entry, {
    dir,
    where: 'steps.0',
    id: 'step-up',
    env: { STEP_UP_CLIENT_SECRET: CLIENT_SECRET },
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return loaded.config;
}

async function prepared(issuer: string) {
  const lines: string[] = [];
  const logger = pino(
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const problems = await configureStep(oidcStepType, configFor(issuer)).prepare({ ...offlineServices(), logger });
  return { problems, logs: lines.join('') };
}

describe('start-up of an oidc step', () => {
  it('discovers the provider, warning that it is reached over plain http', async () => {
    const { problems, logs } = await prepared(provider.issuer);
    expect(problems).toEqual([]);
    expect(logs).toContain('reaches its OpenID provider over plain http');
    expect(logs).not.toContain(CLIENT_SECRET);
  });

  it('refuses to start when the configured issuer serves no discovery document of its own', async () => {
    const { problems } = await prepared(`${provider.issuer}/tenant-a`);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('step "step-up"');
    expect(problems[0]).toContain('discovery document');
  });

  it('starts, not ready, while the provider does not answer', async () => {
    const { problems, logs } = await prepared('http://127.0.0.1:9');
    expect(problems).toEqual([]);
    expect(logs).toContain('the hook is not ready until it does');
  });
});

describe('doctor with an oidc step', () => {
  const env = () => {
    const file = path.join(dir, 'hook.config.json');
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          {
            type: 'oidc',
            id: 'step-up',
            issuer: provider.issuer,
            clientId: CLIENT_ID,
            clientSecretVariable: 'STEP_UP_CLIENT_SECRET',
          },
        ],
      }),
    );
    return { HOOK_URL: 'https://hook.example.com/callback', HOOK_CONFIG: file, STEP_UP_CLIENT_SECRET: CLIENT_SECRET };
  };

  it('reads the secret variable, checks the discovery and names the redirect URI to register', async () => {
    const checks = await runDoctor(env());
    expect(checks.find((c) => c.name === 'steps file')?.status).toBe('ok');
    const check = checks.find((c) => c.name === 'provider (step-up)');
    expect(check).toMatchObject({ status: 'ok' });
    expect(check?.detail).toContain(
      'register the redirect URI https://hook.example.com/interaction/return/oidc for client "interaction-hook"',
    );
    expect(JSON.stringify(checks)).not.toContain(CLIENT_SECRET);
  });

  it('fails the check while the provider does not answer', async () => {
    await provider.stop();
    try {
      const check = (await runDoctor(env())).find((c) => c.name === 'provider (step-up)');
      expect(check).toMatchObject({ status: 'fail', fix: expect.stringContaining('DNS') });
    } finally {
      await provider.start();
    }
  });
});
