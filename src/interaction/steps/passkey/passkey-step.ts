import type { Logger } from 'pino';
import type { StepRecords } from '../step-ports.js';
import type { PasskeyCredential, PasskeyCredentials } from './passkey-credentials.js';
import type { ActionResult, FormInput, Step, StepContext, StepOutcome } from '../step.js';
import {
  authenticationOptions,
  CEREMONY_TIMEOUT_MS,
  credentialHash,
  registrationOptions,
  verifyAuthentication,
  verifyRegistration,
  type Refusal,
  type RelyingParty,
  type Verified,
} from './passkey-ceremony.js';
import type { PasskeyStepConfig } from './schema.js';

/** Sent to the tenant (and so to the wallet): plain English, not localised. */
export const PASSKEY_DECLINED_MESSAGE = 'The user declined to use a passkey.';
export const PASSKEY_NO_SUBJECT_MESSAGE = 'The passkey step needs a subject (the token’s sub, or the claim LEDGER_SUBJECT_CLAIM names), and this journey has none.';
export const PASSKEY_NONE_ENROLLED_MESSAGE = 'The user has no passkey here, and this passkey step does not enrol one.';

/** The step records holding a ceremony's challenge, one per interaction and step. */
const CHALLENGE_RECORD = 'passkey-challenge';
/** The challenge outlives the browser's own timeout a little, for a slow network. */
const CHALLENGE_LIFETIME_MS = CEREMONY_TIMEOUT_MS + 30_000;

type Situation = { kind: 'enrol'; subject: string } | { kind: 'use'; subject: string; credentials: PasskeyCredential[] } | { kind: 'no-subject' } | { kind: 'none-enrolled' };

interface Challenge {
  ceremony: 'register' | 'authenticate';
  challenge: string;
  subject: string;
}

/** The user's words for each refusal, and how loud the log is about it. */
const REFUSALS: Record<Refusal, { message: string; level: 'info' | 'warn' }> = {
  malformed: { message: 'passkey.error.notAccepted', level: 'info' },
  invalid: { message: 'passkey.error.notAccepted', level: 'info' },
  challenge: { message: 'passkey.error.notAccepted', level: 'info' },
  origin: { message: 'passkey.error.notAccepted', level: 'warn' },
  rp_id: { message: 'passkey.error.notAccepted', level: 'warn' },
  duplicate_credential: { message: 'passkey.error.notAccepted', level: 'warn' },
  not_verified: { message: 'passkey.error.notVerified', level: 'info' },
  unknown_credential: { message: 'passkey.error.unknown', level: 'info' },
  counter_regressed: { message: 'passkey.error.notAccepted', level: 'warn' },
};

export interface PasskeyDeps {
  rp: RelyingParty;
  passkeys: PasskeyCredentials;
  records: StepRecords;
  logger: Logger;
}

/**
 * Confirming the subject with a passkey (WebAuthn): the first journey of a subject enrols one
 * (`enrol: when-missing`), every later one must use it. The page's script runs the ceremony
 * through two actions, `options` then `verify`; Decline is a plain form.
 */
export class PasskeyStep implements Step {
  readonly type = 'passkey';
  readonly id: string;
  readonly actions = {
    options: (_input: FormInput, ctx: StepContext) => this.start(ctx),
    verify: (input: FormInput, ctx: StepContext) => this.finish(input, ctx),
  };

  constructor(
    private readonly config: PasskeyStepConfig,
    private readonly deps: PasskeyDeps,
  ) {
    this.id = config.id;
  }

  async view(ctx: StepContext): Promise<Record<string, unknown>> {
    const situation = await this.situation(ctx);
    const messages = ['cancelled', 'noneHere', 'unsupported', 'network', 'notAccepted'].map((key) => [key, ctx.t(`passkey.error.${key}`, { issuer: this.deps.rp.name })]);
    return {
      situation: situation.kind,
      clientMessages: Object.fromEntries([...messages, ['working', ctx.t('passkey.working')]]) as Record<string, string>,
      // Whether a subject whose passkeys are elsewhere may add this device here (an earlier step
      // verified them and the steps file allows it): the page then offers it after a failed try.
      canEnrolHere: false,
    };
  }

  async decide(input: FormInput, ctx: StepContext): Promise<StepOutcome> {
    const situation = await this.situation(ctx);
    if (situation.kind === 'no-subject' || situation.kind === 'none-enrolled') return blocked(situation);
    if (input.decision === 'decline') return { kind: 'declined', message: PASSKEY_DECLINED_MESSAGE, evidence: { offered: situation.kind } };
    // Only the script can run a ceremony: a form posted without it says so.
    return { kind: 'again', status: 422, errors: { passkey: ctx.t('passkey.error.javascript') } };
  }

  evidence(): Record<string, unknown> {
    return { userVerification: this.config.userVerification };
  }

  /** `options`: a fresh challenge for this interaction, and what the browser needs to answer it. */
  private async start(ctx: StepContext): Promise<ActionResult> {
    const situation = await this.situation(ctx);
    if (situation.kind === 'no-subject' || situation.kind === 'none-enrolled') return blocked(situation);
    const { rp, records } = this.deps;
    const uv = this.config.userVerification;
    const options = situation.kind === 'enrol' ? await registrationOptions(rp, situation.subject, uv) : await authenticationOptions(rp, situation.credentials, uv);
    const challenge: Challenge = { ceremony: situation.kind === 'enrol' ? 'register' : 'authenticate', challenge: options.challenge, subject: situation.subject };
    // A new try replaces the challenge of the one before: only the latest can be answered.
    await records.put(CHALLENGE_RECORD, this.recordKey(ctx), challenge, new Date(ctx.now.getTime() + CHALLENGE_LIFETIME_MS));
    return { kind: 'reply', status: 200, body: { ceremony: challenge.ceremony, options } };
  }

  /** `verify`: the browser's answer to the challenge, which it spends whatever the result. */
  private async finish(input: FormInput, ctx: StepContext): Promise<ActionResult> {
    const taken = await this.deps.records.take(CHALLENGE_RECORD, this.recordKey(ctx), ctx.now);
    if (!isChallenge(taken) || taken.subject !== ctx.subject) {
      this.deps.logger.info({ interaction: ctx.interactionId, step: this.id, event: 'passkey_refused', reason: 'no_challenge' }, 'passkey response without a challenge waiting');
      return { kind: 'reply', status: 409, body: { error: 'passkey_stale', message: ctx.t('passkey.error.stale') } };
    }
    const { rp, passkeys } = this.deps;
    const uv = this.config.userVerification;
    if (taken.ceremony === 'register') {
      const verified = await verifyRegistration(rp, input.response, taken.challenge, taken.subject, uv, ctx.now);
      if (!verified.ok) return this.refuse(verified.refusal, ctx);
      if (!(await passkeys.add(verified.credential))) return this.refuse('duplicate_credential', ctx, verified.credential.id);
      return this.passed('enrolled', verified);
    }
    const verified = await verifyAuthentication(rp, input.response, taken.challenge, await passkeys.forSubject(taken.subject), uv);
    if (!verified.ok) return this.refuse(verified.refusal, ctx, credentialIdOf(input.response));
    // Compare and set: of two assertions racing with one counter value only one goes on.
    if (!(await passkeys.recordUse(verified.credential.id, verified.counter, ctx.now))) return this.refuse('counter_regressed', ctx, verified.credential.id);
    return this.passed('used', verified);
  }

  private passed(passkey: 'enrolled' | 'used', verified: Extract<Verified, { ok: true }>): StepOutcome {
    return { kind: 'next', claims: {}, evidence: { passkey, credentialSha256: credentialHash(verified.credential.id), userVerified: verified.userVerified } };
  }

  private refuse(refusal: Refusal, ctx: StepContext, credentialId?: string): ActionResult {
    const { message, level } = REFUSALS[refusal];
    const credential = credentialId === undefined ? undefined : credentialHash(credentialId);
    this.deps.logger[level]({ interaction: ctx.interactionId, step: this.id, event: 'passkey_refused', reason: refusal, credentialSha256: credential }, `passkey response refused: ${refusal}`);
    return { kind: 'reply', status: 400, body: { error: `passkey_${refusal}`, message: ctx.t(message, { issuer: this.deps.rp.name }) } };
  }

  private async situation(ctx: StepContext): Promise<Situation> {
    if (ctx.subject === null) return { kind: 'no-subject' };
    const credentials = await this.deps.passkeys.forSubject(ctx.subject);
    if (credentials.length > 0) return { kind: 'use', subject: ctx.subject, credentials };
    return this.config.enrol === 'when-missing' ? { kind: 'enrol', subject: ctx.subject } : { kind: 'none-enrolled' };
  }

  private recordKey(ctx: StepContext): string {
    return `${ctx.interactionId}:${this.id}`;
  }
}

/** The end of the journey when this step cannot run for this subject: a failure, not the user's choice. */
function blocked(situation: Extract<Situation, { kind: 'no-subject' | 'none-enrolled' }>): StepOutcome {
  return situation.kind === 'no-subject'
    ? { kind: 'failed', message: PASSKEY_NO_SUBJECT_MESSAGE, evidence: { passkey: 'no_subject' } }
    : { kind: 'failed', message: PASSKEY_NONE_ENROLLED_MESSAGE, evidence: { passkey: 'none_enrolled' } };
}

function isChallenge(value: unknown): value is Challenge {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (v.ceremony === 'register' || v.ceremony === 'authenticate') && typeof v.challenge === 'string' && typeof v.subject === 'string';
}

/** The id a response names, for the log's hash; nothing when it names none. */
function credentialIdOf(response: unknown): string | undefined {
  const id = typeof response === 'object' && response !== null ? (response as Record<string, unknown>).id : undefined;
  return typeof id === 'string' && id.length <= 1400 ? id : undefined;
}
