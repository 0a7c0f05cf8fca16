import { expect } from 'vitest';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { HookConfig } from '../../src/config/hook-config.js';
import { emailCodeStepType } from '../../src/interaction/steps/email-code/index.js';
import type { EmailCodeStepConfig } from '../../src/interaction/steps/email-code/schema.js';
import { readMailSettings, type MailSettings } from '../../src/interaction/steps/email-code/mail-settings.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import type { ReceivedMail } from '../../src/simulator/mailbox.js';
import { readReturnToken, type ReturnOutcome } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, TENANT_URL, type HookFixture } from './hook-fixture.js';
import { termsConfig } from './terms-config.js';

const MAIL_FROM = 'Test Issuer <no-reply@issuer.example>';
export const ADDRESS = 'aroha@example.org';

/** A steps file of one email-code step (after a terms step, with `afterTerms`), built in memory. */
export function emailCodeConfig(
  options: Partial<Omit<EmailCodeStepConfig, 'type'>> & {
    afterTerms?: boolean;
    beforeTerms?: boolean;
    smtpUrl?: string;
  } = {},
): HookConfig {
  const { afterTerms, beforeTerms, smtpUrl, ...overrides } = options;
  const config: EmailCodeStepConfig = {
    type: 'email-code',
    id: 'email-code',
    emailClaim: 'email',
    codeTtlSeconds: 600,
    maxAttempts: 5,
    resendIntervalSeconds: 30,
    maxSends: 5,
    ...overrides,
  };
  const step = configureStep(emailCodeStepType, config, smtpUrl === undefined ? undefined : mailSettings(smtpUrl));
  const terms = termsConfig({});
  const steps = afterTerms ? [...terms.steps, step] : beforeTerms ? [step, ...terms.steps] : [step];
  return { ...terms, steps };
}

/** What the type reads from SMTP_URL and MAIL_FROM, as the configuration loader passes it on. */
export function mailSettings(smtpUrl: string): MailSettings {
  const read = readMailSettings({ SMTP_URL: smtpUrl, MAIL_FROM });
  if (!read.ok) throw new Error(read.problems.join('; '));
  return read.settings;
}

export interface OnCodePage {
  browser: TestAgent;
  path: string;
  state: string;
  page: Response;
}

/** A browser arrives with `claims` and opens the first page. */
export async function arriveWith(
  hook: HookFixture,
  claims: Record<string, unknown> = { email: ADDRESS },
  browser = hook.browser(),
): Promise<OnCodePage> {
  const { token, state } = await hook.mint({ claims });
  const arrival = await browser.get(`/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const path = arrival.headers.location!;
  const page = await browser.get(path);
  expect(page.status).toBe(200);
  return { browser, path, state, page };
}

/**
 * Posts the email-code form as the page's buttons do, and follows a 303 back to the step's page as
 * a browser does (post/redirect/get): the answer is the page the user then sees.
 */
export async function post(at: OnCodePage, form: Record<string, string>): Promise<Response> {
  const answer = await postOnly(at, form);
  return answer.status === 303 && answer.headers.location === at.path ? at.browser.get(at.path) : answer;
}

/** Posts the email-code form and returns the POST's own answer. */
export function postOnly(at: OnCodePage, form: Record<string, string>): Promise<Response> {
  return at.browser
    .post(at.path)
    .type('form')
    .send({ _csrf: csrfFrom(at.page.text), step: 'email-code', ...form });
}

/** The six digits in a delivered message, read from its text part. */
export function codeIn(mail: ReceivedMail | undefined): string {
  const match = /\b(\d{6})\b/.exec(mail?.text ?? '');
  if (!match) throw new Error('no code in the message');
  return match[1]!;
}

/** A code that is not `code`. */
export function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** What the tenant got from a 303 to it. */
export async function tenantGot(hook: HookFixture, res: Response): Promise<ReturnOutcome> {
  expect(res.status).toBe(303);
  return tenantGotAt(hook, res.headers.location!);
}

/** What the tenant reads from the way back `url` (a redirect's location, or a finished page's button). */
export async function tenantGotAt(hook: HookFixture, url: string): Promise<ReturnOutcome> {
  const back = new URL(url);
  expect(back.origin).toBe(TENANT_URL);
  return readReturnToken(hook.simulator.identity, back.searchParams.get('session_token')!, hook.clock.now());
}

/** The text of the page's alert (error summary), tags removed. */
export function alertOf(res: Response): string {
  const match = /<div class="error-summary" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(res.text);
  return match
    ? match[1]!
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : '';
}

/** Passes the email-code step at `at` with the code `mailbox` received: the 303 that follows. */
export async function confirmEmailCode(
  at: OnCodePage,
  mailbox: { messages: readonly ReceivedMail[] },
): Promise<Response> {
  const sent = await post(at, { decision: 'send' });
  expect(sent.status).toBe(200);
  const confirmed = await postOnly(
    { ...at, page: sent },
    { decision: 'verify', code: codeIn(mailbox.messages.at(-1)) },
  );
  expect(confirmed.status).toBe(303);
  return confirmed;
}
