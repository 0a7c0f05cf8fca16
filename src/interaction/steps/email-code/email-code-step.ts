import type { Logger } from 'pino';
import type { Evidence } from '../../model.js';
import type { FormInput, Step, StepContext, StepOutcome } from '../step.js';
import { StepUnavailableError } from '../step.js';
import { codeMail, lifetimeText } from './code-mail.js';
import { mailFailure, type CodeMailer } from './code-mailer.js';
import {
  codeHash,
  hasExpired,
  newDigitCode,
  noTriesLeft,
  resendWait,
  sameHash,
  typedDigits,
  countAttempt,
  type CodeRecords,
} from '../one-time-code.js';
import { CODE_DIGITS, type CodeState } from './code-record.js';
import { emailAddressFrom, maskedAddress } from './email-address.js';
import type { EmailCodeStepConfig } from './schema.js';
import type { EmailCodeMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<EmailCodeMessageKey>;

/** Sent to the tenant (plain English, not localised) when the journey ends at this step. */
export const EMAIL_NOT_CONFIRMED_MESSAGE = 'The email address could not be confirmed.';
export const NO_EMAIL_ADDRESS_MESSAGE = 'The session token has no email address that a code can be sent to.';
export const EMAIL_CODE_DECLINED_MESSAGE = 'The user could not receive the email code.';

export interface EmailCodeDeps {
  store: CodeRecords<CodeState>;
  /** Null when the step was built without mail settings (a test that never sends): sending is then unavailable. */
  mailer: CodeMailer | null;
  /** The step type's key for the code's keyed hash. */
  key: Buffer;
  issuerName: string;
  logger: Logger;
}

const METHOD = 'email-code';

/**
 * A one-time code sent to the address in a claim of the session token. Nothing is sent until the
 * user asks (`send`): a GET only shows the page, so neither a prefetch nor a reload sends mail, and
 * the user sees the address before anything goes to it. Sends are at least
 * `resendIntervalSeconds` apart and at most `maxSends` in the journey; after `maxAttempts` wrong
 * codes in the journey it fails.
 */
export class EmailCodeStep implements Step<EmailCodeMessageKey> {
  readonly type = 'email-code';
  readonly id: string;

  constructor(
    private readonly config: EmailCodeStepConfig,
    private readonly deps: EmailCodeDeps,
  ) {
    this.id = config.id;
  }

  async view(ctx: Context): Promise<Record<string, unknown>> {
    const address = this.addressOf(ctx);
    if (address === null) return { stage: 'no-address', address: null, lifetime: null, notice: null };
    const state = await this.deps.store.peek(ctx.interactionId, ctx.now);
    if (state !== null && noTriesLeft(state.attempts, this.config.maxAttempts))
      return { stage: 'no-tries-left', address: maskedAddress(address), lifetime: null, notice: null };
    return {
      stage: state?.hash ? 'enter' : 'send',
      address: maskedAddress(address),
      lifetime: lifetimeText(this.config.codeTtlSeconds, ctx.locale),
      notice: null,
    };
  }

  async decide(input: FormInput, ctx: Context): Promise<StepOutcome> {
    const address = this.addressOf(ctx);
    if (address === null)
      return { kind: 'failed', message: NO_EMAIL_ADDRESS_MESSAGE, evidence: this.evidenceOf('no-address') };
    switch (input.decision) {
      case 'decline':
        return { kind: 'declined', message: EMAIL_CODE_DECLINED_MESSAGE, evidence: this.evidenceOf('declined') };
      case 'send':
      case 'resend':
        return this.send(address, ctx);
      case 'end':
        return this.end(ctx);
      default:
        return this.verify(input.code, ctx);
    }
  }

  evidence(): Evidence {
    return this.evidenceOf('not-confirmed');
  }

  private async send(address: string, ctx: Context): Promise<StepOutcome> {
    const { store, mailer, logger } = this.deps;
    if (!mailer) throw new StepUnavailableError('mail');
    const now = ctx.now.getTime();
    const code = newDigitCode(CODE_DIGITS);
    const decided = await store.change(
      ctx.interactionId,
      ctx.now,
      (held): { state: CodeState; result: { refused: StepOutcome } | { before: CodeState; sent: CodeState } } => {
        if (noTriesLeft(held.attempts, this.config.maxAttempts))
          return { state: held, result: { refused: this.tooManyAttempts(held.attempts) } };
        if (held.sends >= this.config.maxSends)
          return { state: held, result: { refused: again(429, 'send', ctx.t('emailCode.error.noMoreCodes')) } };
        const waitMs = resendWait(held.sentAt, this.config.resendIntervalSeconds, ctx.now);
        // Not a mistake of the user's: a notice of when a new code can go, the page otherwise as it was.
        if (waitMs > 0)
          return {
            state: held,
            result: {
              refused: {
                kind: 'again',
                status: 429,
                errors: {},
                view: { notice: ctx.t('emailCode.tooSoon', { seconds: Math.ceil(waitMs / 1000) }) },
              },
            },
          };
        const sent: CodeState = {
          hash: codeHash(this.deps.key, ctx.interactionId, code),
          expiresAt: now + this.config.codeTtlSeconds * 1000,
          sentAt: now,
          attempts: held.attempts,
          sends: held.sends + 1,
          verified: false,
        };
        // Stored before it goes, so that the code in the mail always works; put back as it was when it does not go.
        return { state: sent, result: { before: held, sent } };
      },
    );
    if ('refused' in decided) return decided.refused;
    try {
      await mailer.send(
        codeMail({
          to: address,
          code,
          issuer: this.deps.issuerName,
          lifetimeSeconds: this.config.codeTtlSeconds,
          locale: ctx.locale,
          t: ctx.t,
        }),
      );
    } catch (error) {
      await this.unsent(decided.before, ctx);
      const failure = mailFailure(error);
      // Codes only: the server's text may echo the address.
      const reply = (typeof error === 'object' && error !== null ? error : {}) as {
        responseCode?: unknown;
        code?: unknown;
      };
      logger.warn(
        {
          interaction: ctx.interactionId,
          step: this.id,
          failure,
          errorCode: reply.code,
          responseCode: reply.responseCode,
        },
        'email code not sent',
      );
      if (failure === 'unavailable') throw new StepUnavailableError('mail', { cause: error });
      return again(422, 'send', ctx.t('emailCode.error.refused'));
    }
    logger.info(
      { interaction: ctx.interactionId, step: this.id, event: 'email_code_sent', sends: decided.sent.sends },
      'email code sent',
    );
    return {
      kind: 'again',
      status: 200,
      errors: {},
      view: {
        notice: ctx.t('emailCode.sent', {
          address: maskedAddress(address),
          lifetime: lifetimeText(this.config.codeTtlSeconds, ctx.locale),
        }),
      },
    };
  }

  /** A code that did not go was never sent: the state as before, with any attempts made meanwhile. */
  private async unsent(before: CodeState, ctx: Context): Promise<void> {
    try {
      await this.deps.store.change(ctx.interactionId, ctx.now, (meanwhile) => ({
        state: { ...before, attempts: Math.max(before.attempts, meanwhile.attempts) },
        result: undefined,
      }));
    } catch (error) {
      this.deps.logger.warn(
        { err: error, interaction: ctx.interactionId, step: this.id },
        'unsent email code could not be withdrawn',
      );
    }
  }

  private async verify(raw: unknown, ctx: Context): Promise<StepOutcome> {
    const code = typedDigits(raw, CODE_DIGITS);
    if (code === null) return again(422, 'code', ctx.t('emailCode.error.format'));
    const typed = codeHash(this.deps.key, ctx.interactionId, code);
    // The address the code was sent to: passing proves the person holds it.
    const address = this.addressOf(ctx);
    return this.deps.store.change(ctx.interactionId, ctx.now, (held): { state: CodeState; result: StepOutcome } => {
      const matches = held.hash !== null && sameHash(typed, held.hash);
      // The same code posted twice (a double tap): the same answer, which the journey makes the same redirect.
      if (held.verified)
        return {
          state: held,
          result: matches ? this.confirmed(held, address) : again(422, 'code', ctx.t('emailCode.error.noCode')),
        };
      if (noTriesLeft(held.attempts, this.config.maxAttempts))
        return { state: held, result: this.tooManyAttempts(held.attempts) };
      if (held.hash === null) return { state: held, result: again(422, 'code', ctx.t('emailCode.error.noCode')) };
      if (hasExpired(held.expiresAt, ctx.now))
        return { state: held, result: again(422, 'code', ctx.t('emailCode.error.expired')) };
      if (matches) {
        const verified = { ...held, verified: true };
        return { state: verified, result: this.confirmed(verified, address) };
      }
      const { attempts, left } = countAttempt(held.attempts, this.config.maxAttempts);
      // The last try: the journey fails now, on a page that says why before the user goes back.
      if (left === 0) return { state: { ...held, attempts, hash: null }, result: this.tooManyAttempts(attempts) };
      return {
        state: { ...held, attempts },
        result: again(
          422,
          'code',
          left === 1 ? ctx.t('emailCode.error.wrongLast') : ctx.t('emailCode.error.wrong', { left }),
        ),
      };
    });
  }

  /**
   * `end`, from the page that says the last try is spent: shown only when the failure the last try
   * made could not be recorded (the journey would have ended with it), so it is made now.
   */
  private async end(ctx: Context): Promise<StepOutcome> {
    const state = await this.deps.store.peek(ctx.interactionId, ctx.now);
    if (state === null || !noTriesLeft(state.attempts, this.config.maxAttempts))
      return again(422, 'code', ctx.t('emailCode.error.format'));
    return this.tooManyAttempts(state.attempts);
  }

  /** `attempts`: the codes entered, the right one included. */
  private confirmed(state: CodeState, address: string | null): StepOutcome {
    const evidence = { ...this.evidenceOf('confirmed'), attempts: state.attempts + 1, codesSent: state.sends };
    return { kind: 'next', claims: {}, evidence, ...(address === null ? {} : { confirmedAddress: address }) };
  }

  private tooManyAttempts(attempts: number): StepOutcome {
    return {
      kind: 'failed',
      message: EMAIL_NOT_CONFIRMED_MESSAGE,
      evidence: { ...this.evidenceOf('too-many-attempts'), attempts },
      reason: 'too-many-codes',
    };
  }

  private evidenceOf(outcome: string): Evidence {
    return { method: METHOD, outcome };
  }

  private addressOf(ctx: Context): string | null {
    return emailAddressFrom(
      Object.hasOwn(ctx.claims, this.config.emailClaim) ? ctx.claims[this.config.emailClaim] : undefined,
    );
  }
}

function again(status: number, field: string, message: string): StepOutcome {
  return { kind: 'again', status, errors: { [field]: message } };
}
