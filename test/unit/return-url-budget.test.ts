import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../src/config/hook-config.js';
import { profileStepSchema } from '../../src/interaction/steps/profile/profile-schema.js';
import { profileStepType } from '../../src/interaction/steps/profile/index.js';
import { configureStep, type ConfiguredStep } from '../../src/interaction/steps/configured-step.js';
import { measureReturnUrl, returnUrlProblem, URL_BUDGET } from '../../src/interaction/return-url-budget.js';
import { offlineServices } from '../support/offline-services.js';
import { ConfigurationError, startHook } from '../../src/start-hook.js';

const urls = { hookUrl: 'https://hook.example.com/callback', tenantUrl: 'https://tenant.vii.au01.mattr.global' };
const textFields = (count: number, maxLength: number) =>
  Array.from({ length: count }, (_, i) => ({ type: 'text', claim: `field_${i}`, label: `Field ${i}`, maxLength }));
function profile(fields: unknown[]): ConfiguredStep {
  const parsed = profileStepSchema.parse({ type: 'profile', fields });
  return configureStep(profileStepType, {
    type: 'profile',
    id: 'profile',
    title: undefined,
    intro: undefined,
    fields: parsed.fields,
  });
}

describe('the URL budget of the way back', () => {
  it('lets the shipped example through with room to spare', async () => {
    const loaded = loadHookConfig(
      path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'),
    );
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const report = await measureReturnUrl(
      loaded.config.steps.map((step) => step.build(offlineServices())),
      urls,
    );
    expect(report.worstLength).toBeLessThan(URL_BUDGET);
    expect(report.largest[0]?.claim).toBe('email');
    expect(
      await returnUrlProblem(
        loaded.config.steps.map((step) => step.build(offlineServices())),
        urls,
      ),
    ).toBeNull();
  });

  it('grows with the fields’ maximum lengths, three bytes a character', async () => {
    const small = await measureReturnUrl([profile(textFields(1, 10)).build(offlineServices())], urls);
    const large = await measureReturnUrl([profile(textFields(1, 110)).build(offlineServices())], urls);
    // 100 more characters of at most 3 UTF-8 bytes each, base64url-encoded: 400 more characters.
    expect(large.worstLength - small.worstLength).toBe(400);
  });

  it('refuses fields that could exceed the budget and names the largest', async () => {
    const steps = [
      profile([...textFields(3, 500), { type: 'text', claim: 'tiny', label: 'T', maxLength: 2 }]).build(
        offlineServices(),
      ),
    ];
    const problem = await returnUrlProblem(steps, urls);
    expect(problem).toMatch(
      /could make the URL back to the tenant \d{4} characters long, over the 2000 that tenants accept/,
    );
    expect(problem).toMatch(/"field_0" \(up to \d+\), "field_1"/);
    expect(problem).not.toMatch(/tiny/);
  });

  it('stops the hook from starting with such a steps file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hook-budget-'));
    try {
      const file = path.join(dir, 'hook.config.json');
      writeFileSync(file, JSON.stringify({ steps: [{ type: 'profile', fields: textFields(4, 400) }] }));
      const started = startHook({
        NODE_ENV: 'test',
        HOOK_URL: urls.hookUrl,
        MATTR_TENANT_URL: urls.tenantUrl,
        INTERACTION_HOOK_SECRET: randomBytes(32).toString('base64'),
        SESSION_SECRET: randomBytes(32).toString('hex'),
        DATA_DIR: dir,
        HOOK_CONFIG: file,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      });
      await expect(started).rejects.toBeInstanceOf(ConfigurationError);
      await expect(started).rejects.toThrow(
        /HOOK_CONFIG: the claims the steps collect could make the URL back to the tenant/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
