import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rootKey } from '../../src/interaction/steps/authenticator-app/app-key.js';
import { recoveryHashKey, sealingKey } from '../../src/interaction/steps/authenticator-app/secret-box.js';
import {
  configureStep,
  distinctStepTypes,
  registerStepType,
  stepSecret,
} from '../../src/interaction/steps/configured-step.js';
import { STEP_TYPES } from '../../src/interaction/steps/registry.js';
import { defineStepType } from '../../src/interaction/steps/step-type.js';
import { offlineServices } from '../support/offline-services.js';
import { probeStepType } from '../support/probe-step.js';

const SESSION_SECRET = 'a session secret of at least thirty-two characters';

/** A step type named `name` whose build keeps the key it is given. */
function keyKeepingType(name: string, kept: Buffer[]) {
  return defineStepType({
    type: name,
    schema: z.object({ type: z.literal(name), id: z.string().optional() }),
    ports: [],
    verifiesPerson: false,
    load: (_entry, at) => ({ ok: true, config: { type: name, id: at.id } }),
    claimsRead: () => [],
    build: (config, services) => {
      kept.push(services.stepSecret);
      return {
        id: config.id,
        type: name,
        view: () => ({}),
        decide: () => ({ kind: 'declined', message: 'no', evidence: {} }),
      };
    },
    messages: { en: {}, fr: {} },
  });
}

/** The key a step of type `name` is built with, through the same wiring the hook uses. */
function keyBuiltWith(name: string): Buffer {
  const kept: Buffer[] = [];
  configureStep(keyKeepingType(name, kept), { type: name, id: name }).build({
    ...offlineServices(),
    sessionSecret: SESSION_SECRET,
  });
  const [key] = kept;
  if (key === undefined) throw new Error('the step was not built');
  return key;
}

/** Every key the hook derives from SESSION_SECRET, by what it is for (AUTHENTICATOR_APP_KEY unset). */
function keysFromSessionSecret(): Array<{ purpose: string; key: Buffer }> {
  const appRoot = rootKey(undefined, stepSecret(SESSION_SECRET, 'authenticator-app'));
  return [
    // express-session signs the session cookie with the secret itself.
    { purpose: 'the session cookie’s signature', key: Buffer.from(SESSION_SECRET, 'utf8') },
    ...STEP_TYPES.map((type) => ({ purpose: `step type "${type.type}"`, key: stepSecret(SESSION_SECRET, type.type) })),
    { purpose: 'authenticator-app: secrets at rest', key: sealingKey(appRoot) },
    { purpose: 'authenticator-app: recovery codes', key: recoveryHashKey(appRoot) },
  ];
}

describe('keys derived from the session secret', () => {
  it('are distinct for every registered step type and every other purpose', () => {
    const keys = keysFromSessionSecret();
    const byKey = new Map<string, string[]>();
    for (const { purpose, key } of keys)
      byKey.set(key.toString('hex'), [...(byKey.get(key.toString('hex')) ?? []), purpose]);
    expect([...byKey.values()].filter((purposes) => purposes.length > 1)).toEqual([]);
    expect(keys).toHaveLength(STEP_TYPES.length + 3);
  });

  it('are what a step is built with: its own type’s key, another name another key', () => {
    expect(keyBuiltWith('email-code')).toEqual(stepSecret(SESSION_SECRET, 'email-code'));
    expect(keyBuiltWith('authenticator-app')).toEqual(stepSecret(SESSION_SECRET, 'authenticator-app'));
    expect(keyBuiltWith('email-code')).not.toEqual(keyBuiltWith('email-code-2'));
  });

  it('change with the session secret, and are 32 bytes', () => {
    for (const type of STEP_TYPES) {
      expect(stepSecret(SESSION_SECRET, type.type)).toHaveLength(32);
      expect(stepSecret(`${SESSION_SECRET}!`, type.type)).not.toEqual(stepSecret(SESSION_SECRET, type.type));
    }
  });
});

describe('the registry', () => {
  it('holds each step type once, under its own name', () => {
    const names = STEP_TYPES.map((type) => type.type);
    expect(new Set(names).size).toBe(names.length);
  });

  it('refuses two step types registered under one name, naming it', () => {
    expect(() =>
      distinctStepTypes([registerStepType(probeStepType), ...STEP_TYPES, registerStepType(probeStepType)]),
    ).toThrow('step types are registered twice under one name: probe');
    expect(() => distinctStepTypes([...STEP_TYPES, registerStepType(keyKeepingType('terms', []))])).toThrow(
      'registered twice under one name: terms',
    );
  });
});
