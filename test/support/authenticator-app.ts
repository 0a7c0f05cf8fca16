import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import {
  authenticatorAppStepType,
  type AuthenticatorAppSettings,
} from '../../src/interaction/steps/authenticator-app/index.js';
import type { HookConfig } from '../../src/config/hook-config.js';
import type { AuthenticatorAppStepConfig } from '../../src/interaction/steps/authenticator-app/schema.js';
import { csrfFrom, type HookFixture, type TestClock } from './hook-fixture.js';

/**
 * The authenticator app's side, written apart from the hook's library: RFC 6238 codes from
 * node:crypto's HMAC-SHA1, with the key read from the page as a person would type it.
 */
export function totpCode(base32Key: string, at: Date, options: { digits?: number; period?: number } = {}): string {
  const digits = options.digits ?? 6;
  const period = options.period ?? 30;
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 1000 / period)));
  const mac = createHmac('sha1', fromBase32(base32Key)).update(counter).digest();
  // RFC 4226 §5.3: dynamic truncation.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** A base32 key (RFC 4648) as its bytes. */
export function fromBase32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/[\s=]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
}

/** The key as the page shows it for typing by hand (groups of four), joined. */
export function keyOnPage(html: string): string {
  const match = /<p class="secret-key"[^>]*>([^]*?)<\/p>/.exec(html);
  if (!match) throw new Error('no key on the page');
  const groups = [...match[1]!.matchAll(/<span>([A-Z2-7]{1,4})<\/span>/g)].map((m) => m[1]!);
  expect(groups.length).toBeGreaterThan(0);
  expect(groups.slice(0, -1).every((g) => g.length === 4)).toBe(true);
  return groups.join('');
}

/** The recovery codes the page shows after enrolment. */
export function recoveryCodesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})<\/code><\/li>/g)].map((m) => m[1]!);
}

/** A steps file with one authenticator-app step. */
export function authenticatorAppConfig(
  options: Partial<Omit<AuthenticatorAppStepConfig, 'type' | 'id'>> = {},
  settings?: AuthenticatorAppSettings,
): HookConfig {
  const step: AuthenticatorAppStepConfig = {
    type: 'authenticator-app',
    id: 'authenticator-app',
    issuerLabel: undefined,
    digits: 6,
    period: 30,
    window: 1,
    maxAttempts: 5,
    enrol: 'when-missing',
    ...options,
  };
  return {
    issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined },
    steps: [configureStep(authenticatorAppStepType, step, settings)],
  };
}

/**
 * Moves the clock to the first second of a time step: the next 29 seconds stay in it, so a code
 * computed now is still the current one when the hook checks it.
 */
export function atStepStart(clock: TestClock, period = 30): void {
  const intoStep = (clock.now().getTime() / 1000) % period;
  clock.advance(period - intoStep + 0.5);
}

export interface AtAppStep {
  browser: TestAgent;
  path: string;
  state: string;
  page: Response;
}

/** A browser arrives with a token for `subject` and opens the first page. */
export async function arriveAs(
  hook: HookFixture,
  subject: string | null = 'subject-1',
  claims: Record<string, unknown> = {},
): Promise<AtAppStep> {
  const browser = hook.browser();
  const { token, state } = await hook.mint({ claims, ...(subject === null ? {} : { payload: { sub: subject } }) });
  const arrival = await browser.get(`/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const path = arrival.headers.location!;
  const page = await browser.get(path);
  expect(page.status).toBe(200);
  return { browser, path, state, page };
}

/** Posts the step's form as its buttons do, from the page last shown. */
/**
 * Posts the step's form as a browser does: an answer that stays on the step is a 303 back to its
 * page (post/redirect/get), which is followed; a 303 anywhere else (the tenant) is returned as it is.
 */
export async function postApp(at: AtAppStep, form: Record<string, string>): Promise<Response> {
  const answer = await at.browser
    .post(at.path)
    .type('form')
    .send({ _csrf: csrfFrom(at.page.text), step: 'authenticator-app', ...form });
  return answer.status === 303 && answer.headers.location === at.path ? at.browser.get(at.path) : answer;
}

/**
 * A whole first journey that enrols an app for `subject`: its key and recovery codes. The clock
 * then moves to the next time step, whose code the enrolment has not spent.
 */
export async function enrolApp(
  hook: HookFixture,
  subject = 'subject-1',
): Promise<{ key: string; recoveryCodes: string[] }> {
  atStepStart(hook.clock);
  const at = await arriveAs(hook, subject);
  const key = keyOnPage(at.page.text);
  const confirmed = await postApp(at, { decision: 'verify', code: totpCode(key, hook.clock.now()) });
  expect(confirmed.status).toBe(200);
  const recoveryCodes = recoveryCodesOnPage(confirmed.text);
  expect(recoveryCodes).toHaveLength(10);
  const done = await postApp({ ...at, page: confirmed }, { decision: 'continue' });
  expect(done.status).toBe(303);
  atStepStart(hook.clock);
  return { key, recoveryCodes };
}
