import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../src/config/hook-config.js';
import { passkeyStepType } from '../../src/interaction/steps/passkey/index.js';

function loadSteps(steps: unknown[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'passkey-config-'));
  const file = path.join(dir, 'steps.json');
  writeFileSync(file, JSON.stringify({ steps }));
  try {
    return loadHookConfig(file);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe('the passkey step in the steps file', () => {
  it('loads the shipped example, which enrols only after the emailed code verified the person', () => {
    const example = loadHookConfig(
      path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-email-code-passkey.config.json'),
    );
    expect(example.ok && example.config.steps.map((s) => s.type)).toEqual(['terms', 'email-code', 'passkey']);
    expect(example.ok && example.config.steps[2]?.config).toEqual({
      type: 'passkey',
      id: 'passkey',
      userVerification: 'required',
      enrol: 'after-verification',
    });
  });

  it('enrols only after verification unless the file says otherwise', () => {
    const loaded = loadSteps([{ type: 'passkey' }]);
    expect(loaded.ok && loaded.config.steps.map((step) => step.config)).toEqual([
      { type: 'passkey', id: 'passkey', userVerification: 'required', enrol: 'after-verification' },
    ]);
  });

  it('names a bad option, and an unknown key, in the start-up message', () => {
    const bad = loadSteps([{ type: 'passkey', enrol: 'always', userVerification: 'sometimes', enroll: 'never' }]);
    expect(bad.ok).toBe(false);
    const errors = !bad.ok ? bad.errors.join('\n') : '';
    expect(errors).toMatch(/steps\.0\.userVerification/);
    expect(errors).toMatch(/steps\.0\.enrol: .*"after-verification"/);
    expect(errors).toMatch(/steps\.0: .*"enroll"/);
  });

  it('warns at start-up and in doctor about enrolment on first use, and only then', async () => {
    const check = async (enrol: 'after-verification' | 'when-missing' | 'never') =>
      (
        await passkeyStepType.doctor!(
          { type: 'passkey', id: 'passkey', userVerification: 'required', enrol },
          { hookUrl: undefined, env: {} },
        )
      )[0]!;
    expect(await check('when-missing')).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining(
        'whoever first arrives with a token for a subject can bind a passkey of their own',
      ) as string,
    });
    expect((await check('after-verification')).status).toBe('ok');
    expect((await check('never')).status).toBe('ok');
  });
});
