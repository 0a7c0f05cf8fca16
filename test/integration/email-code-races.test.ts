import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hookServices } from '../../src/app.js';
import { EMAIL_NOT_CONFIRMED_MESSAGE } from '../../src/interaction/steps/email-code/email-code-step.js';
import { emailCodeStepType } from '../../src/interaction/steps/email-code/index.js';
import type { Step, StepContext, StepOutcome } from '../../src/interaction/steps/step.js';
import { startMailbox, type Mailbox } from '../../src/simulator/mailbox.js';
import type { StepRecords } from '../../src/interaction/steps/step-ports.js';
import { translator, withMessages } from '../../src/web/i18n.js';
import { ADDRESS, codeIn, emailCodeConfig, otherThan } from '../support/email-code.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';

/**
 * Requests that reach the step at the same moment, on this run's engine. Every read of a record
 * waits a little before it answers, so that parallel requests all read before any writes: a
 * read-then-write count would let each of them see the same number.
 */
let mailbox: Mailbox;
let hook: HookFixture;
let step: Step;

const slow = (records: StepRecords): StepRecords => {
  const later = async <T>(value: Promise<T>) => {
    const result = await value;
    await new Promise((resolve) => setTimeout(resolve, 25));
    return result;
  };
  return {
    ...records,
    get: (kind, key, now) => later(records.get(kind, key, now)),
    take: (kind, key, now) => later(records.take(kind, key, now)),
  };
};

beforeEach(async () => {
  mailbox = await startMailbox();
  const config = emailCodeConfig({ maxAttempts: 5, smtpUrl: mailbox.smtpUrl });
  hook = await hookFixture({}, config);
  const services = hookServices(
    {
      settings: hook.settings,
      hookConfig: config,
      logger: pino({ level: 'silent' }),
      sessionSecret: hook.settings.sessionSecret!,
    },
    hook.storage,
  );
  step = config.steps[0]!.build({ ...services, records: slow(services.records) });
});
afterEach(async () => {
  await hook.close();
  await mailbox.close();
});

function context(interactionId: string): StepContext {
  return {
    interactionId,
    claims: { email: ADDRESS },
    subject: null,
    locale: 'en',
    t: translator('en', withMessages(emailCodeStepType.messages)),
    now: hook.clock.now(),
    isLast: true,
    returnState: '',
    hookOrigin: 'http://hook.example.com',
    verified: { steps: [], email: null },
  };
}

const messageOf = (outcome: StepOutcome) =>
  outcome.kind === 'again' ? Object.values(outcome.errors).join(' ') : outcome.kind;

describe('the email-code step under parallel requests', () => {
  it('counts parallel wrong guesses one at a time: no two are told the same number of tries left', async () => {
    const id = randomBytes(16).toString('hex');
    expect((await step.decide({ decision: 'send' }, context(id))).kind).toBe('again');
    const wrong = otherThan(codeIn(mailbox.messages[0]));
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, async () => step.decide({ decision: 'verify', code: wrong }, context(id))),
    );
    const told = outcomes.map(messageOf).filter((m) => m.includes('not right'));
    expect(new Set(told).size).toBe(told.length);
    // Each guess is judged after the one before it: four are told how many tries are left, the
    // fifth ends the journey (on a page that says why), and so does every one after it.
    expect(told).toHaveLength(4);
    const failed = outcomes.filter((o) => o.kind === 'failed');
    expect(failed).toHaveLength(4);
    for (const outcome of failed)
      expect(outcome).toMatchObject({
        kind: 'failed',
        message: EMAIL_NOT_CONFIRMED_MESSAGE,
        evidence: { attempts: 5 },
        reason: 'too-many-codes',
      });
    expect(await step.decide({ decision: 'end' }, context(id))).toMatchObject({
      kind: 'failed',
      message: EMAIL_NOT_CONFIRMED_MESSAGE,
      evidence: { attempts: 5 },
    });
  });

  it('sends one code to parallel requests for one, however many arrive', async () => {
    const id = randomBytes(16).toString('hex');
    expect((await step.decide({ decision: 'send' }, context(id))).kind).toBe('again');
    hook.clock.advance(60);
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async () => step.decide({ decision: 'resend' }, context(id))),
    );
    expect(mailbox.messages).toHaveLength(2);
    expect(outcomes.filter((o) => o.kind === 'again' && o.status === 200)).toHaveLength(1);
  });

  it('sends one code to parallel first requests, before any code record exists', async () => {
    const id = randomBytes(16).toString('hex');
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, async () => step.decide({ decision: 'send' }, context(id))),
    );
    expect(mailbox.messages).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'again' && o.status === 200)).toHaveLength(1);
    for (const m of outcomes.map(messageOf)) expect(m === '' || m.includes('just sent')).toBe(true);
    // The code that went is the one that works.
    expect(await step.decide({ decision: 'verify', code: codeIn(mailbox.messages[0]) }, context(id))).toMatchObject({
      kind: 'next',
    });
  });
});
