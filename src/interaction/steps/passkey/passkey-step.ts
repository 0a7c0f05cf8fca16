import type { Logger } from 'pino';
import { z } from 'zod';
import type { StepRecords } from '../step-ports.js';
import type { PasskeyCredential, PasskeyCredentials } from './passkey-credentials.js';
import { enrolmentFor } from '../enrolment.js';
import { mailFactorAdded, type FactorAddedNotice } from '../factor-added-mail.js';
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
import type { PasskeyMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<PasskeyMessageKey>;

/** Sent to the tenant (and so to the wallet): plain English, not localised. */
export const PASSKEY_DECLINED_MESSAGE = 'The user declined to use a passkey.';
export const PASSKEY_NO_SUBJECT_MESSAGE =
  'The passkey step needs a subject (the token’s sub, or the claim LEDGER_SUBJECT_CLAIM names), and this journey has none.';
export const PASSKEY_NONE_ENROLLED_MESSAGE = 'The user has no passkey here, and this passkey step does not enrol one.';
export const PASSKEY_NEEDS_VERIFICATION_MESSAGE =
  'The user has no passkey here, and this passkey step creates one only after an earlier step verified the person.';

/** The step records holding a ceremony's challenge, one per interaction and step. */
const CHALLENGE_RECORD = 'passkey-challenge';
/** The challenge outlives the browser's own timeout a little, for a slow network. */
const CHALLENGE_LIFETIME_MS = CEREMONY_TIMEOUT_MS + 30_000;

type Situation =
  { kind: 'enrol'; subject: string } | { kind: 'use'; subject: string; credentials: PasskeyCredential[] } | Blocked;
/** A journey this step cannot pass: no subject, or none enrolled and enrolment not allowed here. */
type Blocked = { kind: 'no-subject' } | { kind: 'none-enrolled' } | { kind: 'needs-verification' };

/** A ceremony's challenge as kept until the browser answers it; read back through this. */
const storedChallenge = z.object({
  ceremony: z.enum(['register', 'authenticate']),
  challenge: z.string(),
  subject: z.string(),
});

type Challenge = z.output<typeof storedChallenge>;

/** The id a response names, for the log's hash (at most as long as a credential id may be). */
const namedCredential = z.object({ id: z.string().max(1400) });

/** The user's words for each refusal, and how loud the log is about it. */
const REFUSALS: Record<Refusal, { message: PasskeyMessageKey; level: 'info' | 'warn' }> = {
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
  /** "A passkey was added", to the address an earlier email-code step confirmed. */
  notice: FactorAddedNotice;
}

/**
 * Confirming the subject with a passkey (WebAuthn): a subject without one creates one when the
 * `enrol` policy allows it in this journey, every later journey must use it. The page's script runs the ceremony
 * through two actions, `options` then `verify`; Decline is a plain form.
 */
export class PasskeyStep implements Step<PasskeyMessageKey> {
  readonly type = 'passkey';
  readonly id: string;
  readonly actions = {
    options: (_input: FormInput, ctx: Context) => this.start(ctx),
    verify: (input: FormInput, ctx: Context) => this.finish(input, ctx),
  };

  constructor(
    private readonly config: PasskeyStepConfig,
    private readonly deps: PasskeyDeps,
  ) {
    this.id = config.id;
  }

  async view(ctx: Context): Promise<Record<string, unknown>> {
    const situation = await this.situation(ctx);
    const messages = (['cancelled', 'noneHere', 'unsupported', 'network', 'notAccepted'] as const).map((key) => [
      key,
      ctx.t(`passkey.error.${key}`, { issuer: this.deps.rp.name }),
    ]);
    return {
      situation: situation.kind,
      clientMessages: Object.fromEntries([...messages, ['working', ctx.t('passkey.working')]]) as Record<
        string,
        string
      >,
      // Whether a subject whose passkeys are elsewhere may add this device here (an earlier step
      // verified them and the steps file allows it): the page then offers it after a failed try.
      canEnrolHere: false,
    };
  }

  async decide(input: FormInput, ctx: Context): Promise<StepOutcome> {
    const situation = await this.situation(ctx);
    if (isBlocked(situation)) return blocked(situation);
    if (input.decision === 'decline')
      return { kind: 'declined', message: PASSKEY_DECLINED_MESSAGE, evidence: { offered: situation.kind } };
    // Only the script can run a ceremony: a form posted without it says so.
    return { kind: 'again', status: 422, errors: { passkey: ctx.t('passkey.error.javascript') } };
  }

  evidence(): Record<string, unknown> {
    return { userVerification: this.config.userVerification };
  }

  /** `options`: a fresh challenge for this interaction, and what the browser needs to answer it. */
  private async start(ctx: Context): Promise<ActionResult> {
    const situation = await this.situation(ctx);
    if (isBlocked(situation)) return blocked(situation);
    const { rp, records } = this.deps;
    const uv = this.config.userVerification;
    const options =
      situation.kind === 'enrol'
        ? await registrationOptions(rp, situation.subject, uv)
        : await authenticationOptions(rp, situation.credentials, uv);
    const challenge: Challenge = {
      ceremony: situation.kind === 'enrol' ? 'register' : 'authenticate',
      challenge: options.challenge,
      subject: situation.subject,
    };
    // A new try replaces the challenge of the one before: only the latest can be answered.
    await records.put(
      CHALLENGE_RECORD,
      this.recordKey(ctx),
      challenge,
      new Date(ctx.now.getTime() + CHALLENGE_LIFETIME_MS),
    );
    return { kind: 'reply', status: 200, body: { ceremony: challenge.ceremony, options } };
  }

  /** `verify`: the browser's answer to the challenge, which it spends whatever the result. */
  private async finish(input: FormInput, ctx: Context): Promise<ActionResult> {
    const taken = storedChallenge.safeParse(
      await this.deps.records.take(CHALLENGE_RECORD, this.recordKey(ctx), ctx.now),
    ).data;
    if (!taken || taken.subject !== ctx.subject) {
      this.deps.logger.info(
        { interaction: ctx.interactionId, step: this.id, event: 'passkey_refused', reason: 'no_challenge' },
        'passkey response without a challenge waiting',
      );
      return { kind: 'reply', status: 409, body: { error: 'passkey_stale', message: ctx.t('passkey.error.stale') } };
    }
    const { rp, passkeys } = this.deps;
    const uv = this.config.userVerification;
    if (taken.ceremony === 'register') {
      const verified = await verifyRegistration(rp, input.response, taken.challenge, taken.subject, uv, ctx.now);
      if (!verified.ok) return this.refuse(verified.refusal, ctx);
      if (!(await passkeys.add(verified.credential)))
        return this.refuse('duplicate_credential', ctx, verified.credential.id);
      const issuer = this.deps.rp.name;
      await mailFactorAdded(this.deps.notice, ctx, {
        step: this.id,
        subject: ctx.t('passkey.mail.subject', { issuer }),
        paragraphs: [ctx.t('passkey.mail.added', { issuer }), ctx.t('passkey.mail.notYou', { issuer })],
      });
      return this.passed('enrolled', verified);
    }
    const verified = await verifyAuthentication(
      rp,
      input.response,
      taken.challenge,
      await passkeys.forSubject(taken.subject),
      uv,
    );
    if (!verified.ok) return this.refuse(verified.refusal, ctx, credentialIdOf(input.response));
    // Compare and set: of two assertions racing with one counter value only one goes on.
    if (!(await passkeys.recordUse(verified.credential.id, verified.counter, ctx.now)))
      return this.refuse('counter_regressed', ctx, verified.credential.id);
    return this.passed('used', verified);
  }

  /**
   * A passkey used verifies the person. One just created does not: it proves only that whoever
   * holds it now made it, so under `when-missing` it must not open enrolment to a later step.
   */
  private passed(passkey: 'enrolled' | 'used', verified: Extract<Verified, { ok: true }>): StepOutcome {
    const evidence = {
      passkey,
      credentialSha256: credentialHash(verified.credential.id),
      userVerified: verified.userVerified,
    };
    return { kind: 'next', claims: {}, evidence, verified: passkey === 'used' };
  }

  private refuse(refusal: Refusal, ctx: Context, credentialId?: string): ActionResult {
    const { message, level } = REFUSALS[refusal];
    const credential = credentialId === undefined ? undefined : credentialHash(credentialId);
    this.deps.logger[level](
      {
        interaction: ctx.interactionId,
        step: this.id,
        event: 'passkey_refused',
        reason: refusal,
        credentialSha256: credential,
      },
      `passkey response refused: ${refusal}`,
    );
    return {
      kind: 'reply',
      status: 400,
      body: { error: `passkey_${refusal}`, message: ctx.t(message, { issuer: this.deps.rp.name }) },
    };
  }

  private async situation(ctx: Context): Promise<Situation> {
    if (ctx.subject === null) return { kind: 'no-subject' };
    const credentials = await this.deps.passkeys.forSubject(ctx.subject);
    if (credentials.length > 0) return { kind: 'use', subject: ctx.subject, credentials };
    const enrolment = enrolmentFor(this.config.enrol, ctx);
    if (enrolment === 'allowed') return { kind: 'enrol', subject: ctx.subject };
    return enrolment === 'never' ? { kind: 'none-enrolled' } : { kind: 'needs-verification' };
  }

  private recordKey(ctx: Context): string {
    return `${ctx.interactionId}:${this.id}`;
  }
}

function isBlocked(situation: Situation): situation is Blocked {
  return situation.kind !== 'enrol' && situation.kind !== 'use';
}

const BLOCKED: Record<Blocked['kind'], { message: string; passkey: string }> = {
  'no-subject': { message: PASSKEY_NO_SUBJECT_MESSAGE, passkey: 'no_subject' },
  'none-enrolled': { message: PASSKEY_NONE_ENROLLED_MESSAGE, passkey: 'none_enrolled' },
  'needs-verification': { message: PASSKEY_NEEDS_VERIFICATION_MESSAGE, passkey: 'needs_verification' },
};

/** The end of the journey when this step cannot run for this subject: a failure, not the user's choice. */
function blocked(situation: Blocked): StepOutcome {
  const { message, passkey } = BLOCKED[situation.kind];
  return { kind: 'failed', message, evidence: { passkey } };
}

/** The id a response names, for the log's hash; nothing when it names none. */
function credentialIdOf(response: unknown): string | undefined {
  return namedCredential.safeParse(response).data?.id;
}
