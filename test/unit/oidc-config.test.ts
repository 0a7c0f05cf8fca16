import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadHookConfig } from '../../src/config/hook-config.js';
import { returnUrlProblem } from '../../src/interaction/return-url-budget.js';
import { claimsStepsRead, configOf } from '../../src/interaction/steps/configured-step.js';
import { oidcStepType } from '../../src/interaction/steps/oidc/index.js';
import { oidcRedirectUri } from '../../src/interaction/steps/oidc/provider-connection.js';
import { offlineServices } from '../support/offline-services.js';

const SECRET = 'a-client-secret-that-must-never-print';
const step = (entry: Record<string, unknown>) => ({
  type: 'oidc',
  id: 'step-up',
  issuer: 'https://login.issuer.example',
  clientId: 'interaction-hook',
  ...entry,
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'oidc-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function load(steps: unknown[], env: Record<string, string> = {}) {
  const file = path.join(dir, 'hook.config.json');
  writeFileSync(file, JSON.stringify({ steps }));
  return loadHookConfig(file, { env });
}

const problems = (result: ReturnType<typeof load>) => (result.ok ? [] : result.errors).join('\n');

describe('the oidc step in the steps file', () => {
  it('needs only type, issuer and clientId, and then asks for "openid" and nothing of the tenant', () => {
    const result = load([{ type: 'oidc', issuer: 'https://login.issuer.example', clientId: 'interaction-hook' }]);
    expect(result.ok).toBe(true);
    const config = configOf(result.ok ? result.config.steps[0] : undefined, oidcStepType);
    expect(config).toMatchObject({
      id: 'oidc',
      scope: 'openid',
      clientSecret: undefined,
      insecure: false,
      collect: {},
      providerName: 'login.issuer.example',
    });
    expect(result.ok && claimsStepsRead(result.config.steps)).toEqual([]);
  });

  it('reads the client secret from the variable named, and never prints it', () => {
    const result = load([step({ clientSecretVariable: 'STEP_UP_CLIENT_SECRET' })], { STEP_UP_CLIENT_SECRET: SECRET });
    const config = configOf(result.ok ? result.config.steps[0] : undefined, oidcStepType);
    expect(config?.clientSecret?.reveal()).toBe(SECRET);
    expect(JSON.stringify(config)).not.toContain(SECRET);
    expect(inspect(config, { depth: 5 })).not.toContain(SECRET);
    expect(String(config?.clientSecret)).not.toContain(SECRET);
  });

  it('names the missing secret variable as a start-up problem', () => {
    expect(problems(load([step({ clientSecretVariable: 'STEP_UP_CLIENT_SECRET' })]))).toContain(
      'steps.0.clientSecretVariable: the variable STEP_UP_CLIENT_SECRET is not set',
    );
  });

  it('accepts http:// only on a loopback host', () => {
    expect(problems(load([step({ issuer: 'http://login.issuer.example' })]))).toContain(
      'steps.0.issuer: must be https://',
    );
    const local = load([step({ issuer: 'http://127.0.0.1:3002' })]);
    expect(local.ok && configOf(local.config.steps[0], oidcStepType)?.insecure).toBe(true);
    expect(load([step({ issuer: 'http://localhost:3002' })]).ok).toBe(true);
  });

  it('refuses a misspelt key rather than silently leaving a check out', () => {
    expect(problems(load([step({ requireACR: ['urn:example:loa:2'] })]))).toMatch(/steps\.0.*requireACR/);
  });

  it('refuses a scope without "openid", and an issuer with a query', () => {
    expect(problems(load([step({ scope: 'email profile' })]))).toContain('the scope must include "openid"');
    expect(problems(load([step({ issuer: 'https://login.issuer.example/?tenant=1' })]))).toContain('no query');
  });

  it('asks the tenant for the matched claim, and counts the collected ones as its own', () => {
    const result = load([
      step({ matchClaim: { session: 'email', idToken: 'email' }, collect: { acr: 'step_up_acr' } }),
    ]);
    expect(result.ok && claimsStepsRead(result.config.steps)).toEqual(['email']);
    const clash = load([
      step({ collect: { email: 'email' } }),
      { type: 'profile', fields: [{ type: 'email', claim: 'email', label: 'Email' }] },
    ]);
    expect(problems(clash)).toContain('the claim "email" is also collected by step "step-up"');
  });

  it('compares the matched claims exactly unless told to ignore case, and knows no other comparison', () => {
    const exact = load([step({ matchClaim: { session: 'email', idToken: 'email' } })]);
    expect(exact.ok && exact.config.steps[0]?.config).toMatchObject({
      matchClaim: { session: 'email', idToken: 'email', compare: 'exact' },
    });
    const folded = load([step({ matchClaim: { session: 'email', idToken: 'email', compare: 'ignore-case' } })]);
    expect(folded.ok && folded.config.steps[0]?.config).toMatchObject({ matchClaim: { compare: 'ignore-case' } });
    expect(problems(load([step({ matchClaim: { session: 'email', idToken: 'email', compare: 'fuzzy' } })]))).toMatch(
      /steps\.0\.matchClaim\.compare/,
    );
  });

  it('counts what it collects in the URL budget: a few claims fit, many are refused at start-up', async () => {
    const urls = { hookUrl: 'https://hook.example.com/callback', tenantUrl: 'https://tenant.vii.au01.mattr.global' };
    const few = load([step({ collect: { email: 'step_up_email', acr: 'step_up_acr' } })]);
    const many = load([
      step({ collect: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`c${i}`, `claim_${i}`])) }),
    ]);
    expect(few.ok && many.ok).toBe(true);
    if (!few.ok || !many.ok) return;
    expect(
      await returnUrlProblem(
        few.config.steps.map((step) => step.build(offlineServices())),
        urls,
      ),
    ).toBeNull();
    expect(
      await returnUrlProblem(
        many.config.steps.map((step) => step.build(offlineServices())),
        urls,
      ),
    ).toContain('"claim_');
  });

  it('has one redirect URI, under the origin of HOOK_URL', () => {
    expect(oidcRedirectUri('https://hook.example.com/callback')).toBe(
      'https://hook.example.com/interaction/return/oidc',
    );
    expect(oidcRedirectUri('https://hook.example.com:8443/mattr/hook')).toBe(
      'https://hook.example.com:8443/interaction/return/oidc',
    );
  });
});
