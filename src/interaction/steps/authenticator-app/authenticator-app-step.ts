import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import { enrolmentFor } from '../enrolment.js';
import { noTriesLeft, sameHash, typedDigits } from '../one-time-code.js';
import { mailFactorAdded, type FactorAddedNotice } from '../factor-added-mail.js';
import type { Evidence } from '../../model.js';
import type { FormInput, Step, StepContext, StepOutcome } from '../step.js';
import type { AppRecords, EnrolledApp, Enrolling } from './app-records.js';
import { qrCodeSvg } from './qr-code.js';
import { newRecoveryCodes, recoveryCodeHash, typedRecoveryCode } from './recovery-codes.js';
import type { AuthenticatorAppStepConfig } from './schema.js';
import type { SecretBox } from './secret-box.js';
import { keyInGroups, matchingTimeStep, newSecret, otpauthUri, type TotpParameters } from './totp.js';
import type { AuthenticatorAppMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<AuthenticatorAppMessageKey>;

/** Sent to the tenant (plain English, not localised) when the journey ends at this step. */
export const AUTHENTICATOR_APP_FAILED_MESSAGE = 'The code from the authenticator app could not be confirmed.';
export const AUTHENTICATOR_APP_DECLINED_MESSAGE = 'The user declined to use an authenticator app.';
export const AUTHENTICATOR_APP_NO_SUBJECT_MESSAGE =
  'The authenticator-app step needs a subject (the token’s sub, or the claim LEDGER_SUBJECT_CLAIM names), and this journey has none.';
export const AUTHENTICATOR_APP_NOT_ENROLLED_MESSAGE =
  'The user has no authenticator app here, and this step does not set one up.';
export const AUTHENTICATOR_APP_NEEDS_VERIFICATION_MESSAGE =
  'The user has no authenticator app here, and this step sets one up only after an earlier step verified the person.';
export const AUTHENTICATOR_APP_UNREADABLE_MESSAGE =
  'The user’s authenticator app cannot be checked: its secret does not open with this hook’s key.';

const METHOD = 'authenticator-app';

type Blocked = 'no-subject' | 'not-enrolled' | 'needs-verification' | 'unreadable';

const BLOCKED: Record<Blocked, string> = {
  'no-subject': AUTHENTICATOR_APP_NO_SUBJECT_MESSAGE,
  'not-enrolled': AUTHENTICATOR_APP_NOT_ENROLLED_MESSAGE,
  'needs-verification': AUTHENTICATOR_APP_NEEDS_VERIFICATION_MESSAGE,
  unreadable: AUTHENTICATOR_APP_UNREADABLE_MESSAGE,
};

type Situation =
  | { kind: 'blocked'; why: Blocked }
  /** No app yet: this secret is offered, until a first code from it confirms it. */
  | { kind: 'enrol'; subject: string; appId: string; secret: string }
  /** Enrolled in this interaction: the recovery codes are shown until the person goes on. */
  | { kind: 'confirmed'; recoveryCodes: string[] }
  | { kind: 'use'; subject: string; app: EnrolledApp; secret: string };

export interface AuthenticatorAppDeps {
  apps: AppRecords;
  box: SecretBox;
  /** The key of the recovery codes' keyed hashes. */
  recoveryKey: Buffer;
  /** The name the app lists the account under. */
  issuerLabel: string;
  issuerName: string;
  logger: Logger;
  /** "An authenticator app was added", to the address an earlier email-code step confirmed. */
  notice: FactorAddedNotice;
}

/**
 * Codes from an authenticator app (TOTP, RFC 6238). A subject without an app is shown a QR code
 * and the key when the `enrol` policy allows it here, and confirms with a first code; every later
 * journey asks for a code, or one of the recovery codes given at enrolment. Each code works once
 * per subject and time step; `maxAttempts` wrong codes in a journey fail it.
 */
export class AuthenticatorAppStep implements Step<AuthenticatorAppMessageKey> {
  readonly type = 'authenticator-app';
  readonly id: string;

  constructor(
    private readonly config: AuthenticatorAppStepConfig,
    private readonly deps: AuthenticatorAppDeps,
  ) {
    this.id = config.id;
  }

  async view(ctx: Context): Promise<Record<string, unknown>> {
    const situation = await this.situation(ctx);
    const shown = { digits: this.config.digits, period: this.config.period };
    switch (situation.kind) {
      case 'blocked':
        return { ...shown, stage: situation.why };
      case 'confirmed':
        return { ...shown, stage: 'recovery-codes', recoveryCodes: situation.recoveryCodes };
      case 'use': {
        const recovery = ctx.input?.decision === 'recovery' || ctx.input?.decision === 'recover';
        return { digits: situation.app.digits, period: situation.app.period, stage: recovery ? 'recovery' : 'use' };
      }
      case 'enrol': {
        const uri = otpauthUri(situation.secret, {
          ...shown,
          issuer: this.deps.issuerLabel,
          account: ctx.verified.email ?? situation.subject,
        });
        return { ...shown, stage: 'enrol', qrCode: await qrCodeSvg(uri), keyGroups: keyInGroups(situation.secret) };
      }
    }
  }

  async decide(input: FormInput, ctx: Context): Promise<StepOutcome> {
    const situation = await this.situation(ctx);
    if (situation.kind === 'blocked')
      return { kind: 'failed', message: BLOCKED[situation.why], evidence: this.evidenceOf(situation.why) };
    if (input.decision === 'decline')
      return { kind: 'declined', message: AUTHENTICATOR_APP_DECLINED_MESSAGE, evidence: this.evidenceOf('declined') };
    switch (situation.kind) {
      case 'confirmed':
        return input.decision === 'continue' ? this.finishEnrolment(ctx) : { kind: 'again', status: 200, errors: {} };
      case 'enrol':
        return this.confirmEnrolment(situation, input.code, ctx);
      case 'use':
        // The page to show next is said in the answer: after post/redirect/get the form is gone.
        if (input.decision === 'recovery' || input.decision === 'use-code')
          return {
            kind: 'again',
            status: 200,
            errors: {},
            view: { stage: input.decision === 'recovery' ? 'recovery' : 'use' },
          };
        if (input.decision === 'recover')
          return this.recover(situation.subject, situation.app, input.recoveryCode, ctx);
        return this.useCode(situation, input.code, ctx);
    }
  }

  evidence(): Evidence {
    return { method: METHOD };
  }

  private async useCode(
    situation: Extract<Situation, { kind: 'use' }>,
    raw: unknown,
    ctx: Context,
  ): Promise<StepOutcome> {
    const { app } = situation;
    const checked = await this.checkCode(
      raw,
      situation.secret,
      { subject: situation.subject, spend: true },
      { digits: app.digits, period: app.period },
      ctx,
    );
    return checked.ok
      ? { kind: 'next', claims: {}, evidence: { ...this.evidenceOf('code'), attempts: checked.tries } }
      : checked.outcome;
  }

  /** A first code from the offered secret: the app is the subject's from now on. */
  private async confirmEnrolment(
    situation: Extract<Situation, { kind: 'enrol' }>,
    raw: unknown,
    ctx: Context,
  ): Promise<StepOutcome> {
    const { digits, period } = this.config;
    const { subject, appId, secret } = situation;
    // No app to spend the time step on yet: the new app is stored with it spent.
    const checked = await this.checkCode(raw, secret, { subject, spend: false }, { digits, period }, ctx);
    if (!checked.ok) return checked.outcome;
    const { apps, box, recoveryKey, logger } = this.deps;
    const recoveryCodes = newRecoveryCodes();
    const app: EnrolledApp = {
      id: appId,
      secret: box.seal(secret, subjectContext(subject)),
      digits,
      period,
      recoveryCodes: recoveryCodes.map((code) => recoveryCodeHash(recoveryKey, appId, code)),
      createdAt: ctx.now.getTime(),
    };
    if (!(await apps.addApp(subject, app, { step: checked.timeStep, holder: this.recordKey(ctx) }, ctx.now))) {
      // This enrolment's own double submit goes on to the codes; another's wins the subject.
      if ((await apps.appOf(subject))?.id === appId) return { kind: 'again', status: 200, errors: {} };
      return { kind: 'again', status: 409, errors: { code: ctx.t('authenticatorApp.error.enrolledMeanwhile') } };
    }
    const key = this.recordKey(ctx);
    await apps.replaceEnrolling(
      key,
      { stage: 'confirmed', appId, recoveryCodes: box.seal(JSON.stringify(recoveryCodes), key) },
      ctx.now,
    );
    logger.info(
      { interaction: ctx.interactionId, step: this.id, event: 'authenticator_app_enrolled', appId },
      'authenticator app enrolled',
    );
    const issuer = this.deps.issuerName;
    await mailFactorAdded(this.deps.notice, ctx, {
      step: this.id,
      subject: ctx.t('authenticatorApp.mail.subject', { issuer }),
      paragraphs: [ctx.t('authenticatorApp.mail.added', { issuer }), ctx.t('authenticatorApp.mail.notYou', { issuer })],
    });
    // The page now shows the recovery codes (`confirmed`), until the person goes on.
    return { kind: 'again', status: 200, errors: {} };
  }

  private async finishEnrolment(ctx: Context): Promise<StepOutcome> {
    // The recovery codes go with the record; a second tap finds it gone and goes on the same way.
    await this.deps.apps.endEnrolling(this.recordKey(ctx), ctx.now);
    // An app just set up proves only that whoever holds the browser set it up: it verifies nothing for a later step.
    return { kind: 'next', claims: {}, evidence: this.evidenceOf('enrolled'), verified: false };
  }

  private async recover(subject: string, app: EnrolledApp, raw: unknown, ctx: Context): Promise<StepOutcome> {
    const code = typedRecoveryCode(raw);
    if (code === null) return again(422, 'recoveryCode', ctx.t('authenticatorApp.error.recoveryFormat'));
    const tries = await this.deps.apps.countTry(this.recordKey(ctx), this.config.maxAttempts, ctx.now);
    if (tries === null) return this.tooManyAttempts(ctx);
    const hash = recoveryCodeHash(this.deps.recoveryKey, app.id, code);
    if (
      app.recoveryCodes.some((known) => sameHash(known, hash)) &&
      (await this.deps.apps.spendRecoveryCode(subject, hash, ctx.now))
    ) {
      this.deps.logger.info(
        { interaction: ctx.interactionId, step: this.id, event: 'authenticator_app_recovery_code_used', appId: app.id },
        'recovery code used',
      );
      return { kind: 'next', claims: {}, evidence: { ...this.evidenceOf('recovery-code'), attempts: tries } };
    }
    return this.wrong(tries, 'recoveryCode', ctx, 'recovery_code_refused');
  }

  /**
   * A typed code against `secret`: counted as a try before it is checked (so parallel guesses
   * never exceed `maxAttempts`), then spent for the subject's time step.
   */
  private async checkCode(
    raw: unknown,
    secret: string,
    spending: { subject: string; spend: boolean },
    parameters: TotpParameters,
    ctx: Context,
  ): Promise<{ ok: true; tries: number; timeStep: number } | { ok: false; outcome: StepOutcome }> {
    const code = typedDigits(raw, parameters.digits);
    if (code === null)
      return {
        ok: false,
        outcome: again(422, 'code', ctx.t('authenticatorApp.error.format', { digits: parameters.digits })),
      };
    const key = this.recordKey(ctx);
    const tries = await this.deps.apps.countTry(key, this.config.maxAttempts, ctx.now);
    if (tries === null) return { ok: false, outcome: this.tooManyAttempts(ctx) };
    const { window } = this.config;
    const timeStep = matchingTimeStep(secret, code, { ...parameters, window }, ctx.now);
    if (timeStep === null) return { ok: false, outcome: this.wrong(tries, 'code', ctx, 'code_refused') };
    const spent = spending.spend
      ? await this.deps.apps.spendTimeStep(spending.subject, timeStep, key, ctx.now)
      : 'spent';
    if (spent !== 'taken') return { ok: true, tries, timeStep };
    this.deps.logger.info(
      { interaction: ctx.interactionId, step: this.id, event: 'authenticator_app_code_replayed' },
      'authenticator app code used before',
    );
    if (noTriesLeft(tries, this.config.maxAttempts)) return { ok: false, outcome: this.tooManyAttempts(ctx, tries) };
    return { ok: false, outcome: again(422, 'code', ctx.t('authenticatorApp.error.spent')) };
  }

  private wrong(tries: number, field: 'code' | 'recoveryCode', ctx: Context, event: string): StepOutcome {
    this.deps.logger.info(
      { interaction: ctx.interactionId, step: this.id, event: `authenticator_app_${event}`, tries },
      'authenticator app code not accepted',
    );
    if (noTriesLeft(tries, this.config.maxAttempts)) return this.tooManyAttempts(ctx, tries);
    const left = this.config.maxAttempts - tries;
    const prefix = field === 'code' ? 'authenticatorApp.error.wrong' : 'authenticatorApp.error.recoveryWrong';
    return again(422, field, left === 1 ? ctx.t(`${prefix}Last`) : ctx.t(prefix, { left }));
  }

  private tooManyAttempts(ctx: Context, tries = this.config.maxAttempts): StepOutcome {
    this.deps.logger.info(
      { interaction: ctx.interactionId, step: this.id, event: 'authenticator_app_too_many_attempts' },
      'authenticator app: too many wrong codes',
    );
    return {
      kind: 'failed',
      message: AUTHENTICATOR_APP_FAILED_MESSAGE,
      evidence: { ...this.evidenceOf('too-many-attempts'), attempts: tries },
      reason: 'too-many-codes',
    };
  }

  private async situation(ctx: Context): Promise<Situation> {
    if (ctx.subject === null) return { kind: 'blocked', why: 'no-subject' };
    const subject = ctx.subject;
    const { apps, box } = this.deps;
    const key = this.recordKey(ctx);
    const enrolling = await apps.enrolling(key, ctx.now);
    if (enrolling?.stage === 'confirmed') return this.confirmed(enrolling, key);
    const app = await apps.appOf(subject);
    if (app) {
      const opened = box.open(app.secret, subjectContext(subject));
      if (opened.ok) return { kind: 'use', subject, app, secret: opened.plain };
      this.deps.logger.error(
        { step: this.id, event: 'authenticator_app_unreadable', why: opened.why, keyId: box.keyId },
        'an enrolled authenticator app’s secret does not open: was AUTHENTICATOR_APP_KEY or SESSION_SECRET changed?',
      );
      return { kind: 'blocked', why: 'unreadable' };
    }
    const enrolment = enrolmentFor(this.config.enrol, ctx);
    if (enrolment !== 'allowed')
      return { kind: 'blocked', why: enrolment === 'never' ? 'not-enrolled' : 'needs-verification' };
    const offered = enrolling ?? (await apps.offer(key, this.newOffer(key).record, ctx.now));
    if (offered.stage === 'confirmed') return this.confirmed(offered, key);
    const secret = box.open(offered.secret, key);
    if (secret.ok) return { kind: 'enrol', subject, appId: offered.appId, secret: secret.plain };
    // Sealed under a key since replaced: a new secret is offered.
    const fresh = this.newOffer(key);
    await apps.replaceEnrolling(key, fresh.record, ctx.now);
    return { kind: 'enrol', subject, appId: fresh.record.appId, secret: fresh.plain };
  }

  private newOffer(key: string): { record: Extract<Enrolling, { stage: 'offered' }>; plain: string } {
    const plain = newSecret();
    return {
      record: {
        stage: 'offered',
        appId: randomBytes(12).toString('base64url'),
        secret: this.deps.box.seal(plain, key),
      },
      plain,
    };
  }

  private confirmed(enrolling: Extract<Enrolling, { stage: 'confirmed' }>, key: string): Situation {
    const codes = this.deps.box.open(enrolling.recoveryCodes, key);
    return {
      kind: 'confirmed',
      recoveryCodes: codes.ok ? z.array(z.string()).catch([]).parse(JSON.parse(codes.plain)) : [],
    };
  }

  private evidenceOf(outcome: string): Evidence {
    return { method: METHOD, outcome };
  }

  /** The interaction's own records: its enrolment and its tries. */
  private recordKey(ctx: Context): string {
    return `${ctx.interactionId}:${this.id}`;
  }
}

/** What a subject's sealed secret is bound to: it opens for that subject only. */
function subjectContext(subject: string): string {
  return `authenticator-app:${subject}`;
}

function again(status: number, field: string, message: string): StepOutcome {
  return { kind: 'again', status, errors: { [field]: message } };
}
