import { expect } from 'vitest';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { HookConfig } from '../../src/config/hook-config.js';
import type { PasskeyStepConfig } from '../../src/interaction/steps/passkey/schema.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { passkeyStepType } from '../../src/interaction/steps/passkey/index.js';
import { readReturnToken, type MintOptions, type ReturnOutcome } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, type HookFixture } from './hook-fixture.js';
import { arrive, type Arrived } from './journey.js';
import type { SoftwareAuthenticator } from './software-authenticator.js';

/** A steps file with one passkey step. */
export function passkeyConfig(
  options: Partial<Pick<PasskeyStepConfig, 'userVerification' | 'enrol'>> = {},
): HookConfig {
  const step: PasskeyStepConfig = {
    type: 'passkey',
    id: 'passkey',
    userVerification: options.userVerification ?? 'required',
    enrol: options.enrol ?? 'when-missing',
  };
  return {
    issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined },
    steps: [configureStep(passkeyStepType, step)],
  };
}

/** A journey at the passkey step, driven through its actions as the page's script does. */
export interface PasskeyJourney extends Arrived {
  csrf: string;
  action(
    name: 'options' | 'verify',
    body?: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown>; location?: string }>;
  /** The options action, expected to start a ceremony. */
  options(): Promise<
    | { ceremony: 'register'; options: PublicKeyCredentialCreationOptionsJSON }
    | { ceremony: 'authenticate'; options: PublicKeyCredentialRequestOptionsJSON }
  >;
  decline(): Promise<string>;
}

/** `mint`: how the tenant's token is made; by default with the subject `subject-1` as its `sub`. */
export async function passkeyJourney(
  hook: HookFixture,
  mint: MintOptions = { payload: { sub: 'subject-1' } },
): Promise<PasskeyJourney> {
  const arrived = await arrive(hook, mint);
  const csrf = csrfFrom(arrived.page.text);
  const action: PasskeyJourney['action'] = async (name, body = {}) => {
    const res = await arrived.browser.post(`${arrived.interactionPath}/${name}`).set('X-CSRF-Token', csrf).send(body);
    expect(res.status, `${name} answered ${res.status}`).toBeLessThan(500);
    expect(res.headers.location, 'an action never redirects').toBeUndefined();
    return {
      status: res.status,
      body: res.body as Record<string, unknown>,
      location: (res.body as { location?: string }).location,
    };
  };
  return {
    ...arrived,
    csrf,
    action,
    async options() {
      const res = await action('options');
      expect(res.status).toBe(200);
      return res.body as never;
    },
    async decline() {
      const res = await arrived.browser
        .post(arrived.interactionPath)
        .type('form')
        .send({ _csrf: csrf, step: 'passkey', decision: 'decline' });
      expect(res.status).toBe(303);
      return res.headers.location!;
    },
  };
}

/** What the tenant reads from where the hook sent the user; the URL must be the tenant's. */
export function outcomeAt(hook: HookFixture, location: string | undefined): Promise<ReturnOutcome> {
  expect(location).toBeDefined();
  const url = new URL(location!);
  expect(url.origin).toBe(new URL(hook.settings.tenantUrl).origin);
  return readReturnToken(hook.simulator.identity, url.searchParams.get('session_token')!, hook.clock.now());
}

/** A whole first journey that enrols a passkey with `authenticator`; its credential id. */
export async function enrol(
  hook: HookFixture,
  authenticator: SoftwareAuthenticator,
  mint: MintOptions | string = 'subject-1',
): Promise<string> {
  const journey = await passkeyJourney(hook, typeof mint === 'string' ? { payload: { sub: mint } } : mint);
  const started = await journey.options();
  if (started.ceremony !== 'register') throw new Error('expected an enrolment');
  const done = await journey.action('verify', { response: authenticator.register(started.options, hookOrigin(hook)) });
  expect((await outcomeAt(hook, done.location)).kind).toBe('success');
  return authenticator.credentialIds.at(-1)!;
}

/** The options action, expected to start an authentication. */
export async function authenticateOptions(journey: PasskeyJourney): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const started = await journey.options();
  if (started.ceremony !== 'authenticate') throw new Error('expected an authentication');
  return started.options;
}

const hookOrigin = (hook: HookFixture) => new URL(hook.settings.hookUrl).origin;
