import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadHookConfig } from '../../src/config/hook-config.js';
import { authenticatorAppStepType } from '../../src/interaction/steps/authenticator-app/index.js';
import { typedRecoveryCode } from '../../src/interaction/steps/authenticator-app/recovery-codes.js';
import { SecretBox } from '../../src/interaction/steps/authenticator-app/secret-box.js';
import { matchingTimeStep } from '../../src/interaction/steps/authenticator-app/totp.js';
import { fromBase32, totpCode } from '../support/authenticator-app.js';

function loadSteps(steps: unknown[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'authenticator-app-config-'));
  const file = path.join(dir, 'steps.json');
  writeFileSync(file, JSON.stringify({ issuer: { name: 'Example Issuer' }, steps }));
  try {
    return loadHookConfig(file);
  } finally {
    rmSync(dir, { recursive: true });
  }
}

describe('the authenticator-app step in the steps file', () => {
  it('has the documented defaults, and enrols only after verification', () => {
    const loaded = loadSteps([{ type: 'authenticator-app' }]);
    expect(loaded.ok && loaded.config.steps.map((step) => step.config)).toEqual([
      {
        type: 'authenticator-app',
        id: 'authenticator-app',
        issuerLabel: undefined,
        digits: 6,
        period: 30,
        window: 1,
        maxAttempts: 5,
        enrol: 'after-verification',
      },
    ]);
  });

  it('names an unknown key and each bad value in the start-up message', () => {
    const loaded = loadSteps([
      {
        type: 'authenticator-app',
        issuerLabel: 'A: B',
        digits: 7,
        period: 5,
        window: 9,
        maxAttempts: 0,
        enrol: 'always',
        enroll: 'never',
      },
    ]);
    expect(loaded.ok).toBe(false);
    const errors = loaded.ok ? '' : loaded.errors.join('\n');
    for (const key of ['issuerLabel', 'digits', 'period', 'window', 'maxAttempts', 'enrol'])
      expect(errors).toMatch(new RegExp(`steps\\.0\\.${key}: `));
    expect(errors).toMatch(/steps\.0: .*"enroll"/);
  });

  it('reads AUTHENTICATOR_APP_KEY, refusing one too short; doctor says which key seals and warns about enrolment on first use', async () => {
    expect(authenticatorAppStepType.environment!({ AUTHENTICATOR_APP_KEY: 'short' })).toEqual({
      ok: false,
      problems: ['AUTHENTICATOR_APP_KEY must be at least 32 characters (e.g. openssl rand -base64 32)'],
    });
    expect(authenticatorAppStepType.environment!({ AUTHENTICATOR_APP_KEY: 'k'.repeat(32) })).toMatchObject({
      ok: true,
      settings: { appKey: 'k'.repeat(32) },
    });
    const config = {
      type: 'authenticator-app',
      id: 'totp',
      issuerLabel: undefined,
      digits: 6,
      period: 30,
      window: 1,
      maxAttempts: 5,
      enrol: 'when-missing',
    } as const;
    const checks = await authenticatorAppStepType.doctor!(config, { hookUrl: undefined, env: {} });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['enrolment (totp)', 'warn'],
      ['secrets at rest (totp)', 'ok'],
    ]);
    expect(checks[1]!.detail).toContain('changing it makes every enrolled app unreadable');
    const safe = await authenticatorAppStepType.doctor!(
      { ...config, enrol: 'after-verification' },
      { hookUrl: undefined, env: { AUTHENTICATOR_APP_KEY: 'k'.repeat(32) } },
    );
    expect(safe.map((c) => c.status)).toEqual(['ok', 'ok']);
    expect(JSON.stringify(safe)).not.toContain('k'.repeat(32));
  });
});

describe('the codes', () => {
  it('match RFC 6238’s test vectors, computed apart from the library', () => {
    // RFC 6238 appendix B, SHA-1: the key is the ASCII "12345678901234567890".
    const key = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(fromBase32(key).toString()).toBe('12345678901234567890');
    for (const [seconds, code] of [
      [59, '94287082'],
      [1111111109, '07081804'],
      [2000000000, '69279037'],
    ] as const) {
      expect(totpCode(key, new Date(seconds * 1000), { digits: 8 })).toBe(code);
      expect(matchingTimeStep(key, code, { digits: 8, period: 30, window: 0 }, new Date(seconds * 1000))).toBe(
        Math.floor(seconds / 30),
      );
    }
  });

  it('reads a typed recovery code whatever its case, spaces or dash; O as zero, I and L as one', () => {
    expect(typedRecoveryCode('7kq2m x9d4t')).toBe('7KQ2MX9D4T');
    expect(typedRecoveryCode('OIL2M-X9D4T')).toBe('0112MX9D4T');
    for (const bad of ['7KQ2M', '7KQ2M-X9D4T-1', 'UUUUU-UUUUU', 42, null]) expect(typedRecoveryCode(bad)).toBeNull();
  });
});

describe('the sealed secrets', () => {
  it('open with the same key for the same owner only, and tell another key from damage', () => {
    const box = new SecretBox(Buffer.alloc(32, 1));
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'authenticator-app:subject-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', 'authenticator-app:subject-1')).not.toBe(sealed);
    expect(box.open(sealed, 'authenticator-app:subject-1')).toEqual({ ok: true, plain: 'JBSWY3DPEHPK3PXP' });
    expect(box.open(sealed, 'authenticator-app:subject-2')).toEqual({ ok: false, why: 'damaged' });
    expect(new SecretBox(Buffer.alloc(32, 2)).open(sealed, 'authenticator-app:subject-1')).toEqual({
      ok: false,
      why: 'other-key',
    });
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    expect(box.open(flipped, 'authenticator-app:subject-1')).toEqual({ ok: false, why: 'damaged' });
    expect(box.open('not sealed', 'authenticator-app:subject-1')).toEqual({ ok: false, why: 'damaged' });
  });
});
