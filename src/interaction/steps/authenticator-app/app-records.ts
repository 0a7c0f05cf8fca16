import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CodeRecords, countAttempt, noTriesLeft } from '../one-time-code.js';
import type { StepRecords, SubjectRecords } from '../step-ports.js';

/**
 * What the step keeps. Per subject, through the per-subject port under its own kind: the enrolled
 * app, with the recovery codes spent and the last time step a code was accepted for, each changed
 * by an atomic update. Per interaction, on the step records: the enrolment under way and the tries.
 * Everything secret in them is sealed (secret-box.ts).
 */
const APP_KIND = 'authenticator-app';
const ENROLLING = 'authenticator-app-enrolling';
const ATTEMPTS = 'authenticator-app-attempts';

/** Longer than any interaction (INTERACTION_TIMEOUT_SECONDS is at most a day). */
const JOURNEY_MS = 2 * 86_400_000;

const storedApp = z.object({
  /** The id the enrolment gave it (shown by `interaction-hook factors list`). */
  appId: z.string(),
  /** The base32 secret, sealed to the subject. */
  secret: z.string(),
  digits: z.number().int(),
  period: z.number().int(),
  recoveryCodes: z.array(z.string()),
  spentRecoveryCodes: z.array(z.string()).default([]),
  /** The last time step a code was accepted for, and by which interaction and step. */
  lastTimeStep: z.object({ step: z.number().int(), holder: z.string() }).optional(),
});

/** A subject's app: the sealed secret, how it makes codes, and the hashes of its recovery codes. */
export interface EnrolledApp {
  id: string;
  secret: string;
  digits: number;
  period: number;
  recoveryCodes: string[];
  /** Epoch ms. */
  createdAt: number;
}

/** An interaction's enrolment: the secret offered (sealed) and the id the app will have, then, once confirmed, the recovery codes to show (sealed). */
const enrolling = z.discriminatedUnion('stage', [
  z.object({ stage: z.literal('offered'), appId: z.string(), secret: z.string() }),
  z.object({ stage: z.literal('confirmed'), appId: z.string(), recoveryCodes: z.string() }),
]);

export type Enrolling = z.output<typeof enrolling>;

/**
 * The record id of a subject's app: one per subject, so that of two enrolments racing the
 * per-subject port's unique id lets one in.
 */
function recordId(subject: string): string {
  return createHash('sha256').update(`authenticator-app:${subject}`).digest('base64url').slice(0, 22);
}

/** An interaction's tries at a code (from the app or a recovery code), each counted before it is checked. */
const tries = z.object({ attempts: z.number().int().nonnegative() });

export class AppRecords {
  private readonly tries: CodeRecords<z.output<typeof tries>>;

  constructor(
    private readonly subjects: SubjectRecords,
    private readonly records: StepRecords,
  ) {
    this.tries = new CodeRecords(records, ATTEMPTS, tries, { attempts: 0 });
  }

  async appOf(subject: string): Promise<EnrolledApp | null> {
    const [record] = await this.subjects.list(APP_KIND, subject);
    const value = storedApp.safeParse(record?.value).data;
    if (!record || !value) return null;
    return {
      id: value.appId,
      secret: value.secret,
      digits: value.digits,
      period: value.period,
      recoveryCodes: value.recoveryCodes,
      createdAt: record.createdAt.getTime(),
    };
  }

  /** Enrols `app` for `subject` unless one is there (of two racing enrolments, one wins), its first code's time step spent. */
  addApp(
    subject: string,
    app: EnrolledApp,
    lastTimeStep: { step: number; holder: string },
    now: Date,
  ): Promise<boolean> {
    const value = {
      appId: app.id,
      secret: app.secret,
      digits: app.digits,
      period: app.period,
      recoveryCodes: app.recoveryCodes,
      spentRecoveryCodes: [],
      lastTimeStep,
    };
    return this.subjects.add({ kind: APP_KIND, subject, id: recordId(subject), value, createdAt: now, usedAt: now });
  }

  /** Removes the subject's app (only when its id is `id`, when given): the app removed, or null. */
  async removeApp(subject: string, id?: string): Promise<EnrolledApp | null> {
    const app = await this.appOf(subject);
    if (!app || (id !== undefined && app.id !== id)) return null;
    return (await this.subjects.remove(APP_KIND, subject, recordId(subject))) > 0 ? app : null;
  }

  async enrolling(key: string, now: Date): Promise<Enrolling | null> {
    return enrolling.safeParse(await this.records.get(ENROLLING, key, now)).data ?? null;
  }

  /** The secret offered to this interaction: the one offered before, else `offer`. */
  async offer(key: string, offer: Extract<Enrolling, { stage: 'offered' }>, now: Date): Promise<Enrolling> {
    if (await this.records.add(ENROLLING, key, offer, new Date(now.getTime() + JOURNEY_MS), now)) return offer;
    return (await this.enrolling(key, now)) ?? offer;
  }

  replaceEnrolling(key: string, value: Enrolling, now: Date): Promise<void> {
    return this.records.put(ENROLLING, key, value, new Date(now.getTime() + JOURNEY_MS));
  }

  /** Ends the interaction's enrolment; true for the one request that ended it. */
  async endEnrolling(key: string, now: Date): Promise<boolean> {
    return enrolling.safeParse(await this.records.take(ENROLLING, key, now)).success;
  }

  /**
   * Spends the subject's code of `timeStep` for `holder` (the interaction and step): `spent` the
   * first time, `again` when the same holder spent it (a double submit), `taken` when it or a later
   * time step was spent before (a replayed code, or an older one after a newer).
   */
  async spendTimeStep(
    subject: string,
    timeStep: number,
    holder: string,
    now: Date,
  ): Promise<'spent' | 'again' | 'taken'> {
    let answer: 'spent' | 'again' | 'taken' = 'taken';
    await this.subjects.update(APP_KIND, recordId(subject), (record) => {
      const value = storedApp.safeParse(record.value).data;
      if (!value) return null;
      const last = value.lastTimeStep;
      if (last && last.step >= timeStep) {
        answer = last.step === timeStep && last.holder === holder ? 'again' : 'taken';
        return null;
      }
      answer = 'spent';
      return { value: { ...value, lastTimeStep: { step: timeStep, holder } }, usedAt: now };
    });
    return answer;
  }

  /** Spends a recovery code of the subject's app: true the first time only. */
  spendRecoveryCode(subject: string, hash: string, now: Date): Promise<boolean> {
    return this.subjects.update(APP_KIND, recordId(subject), (record) => {
      const value = storedApp.safeParse(record.value).data;
      if (!value || value.spentRecoveryCodes.includes(hash)) return null;
      return { value: { ...value, spentRecoveryCodes: [...value.spentRecoveryCodes, hash] }, usedAt: now };
    });
  }

  /** Counts one more try at `key` before it is checked: its number (1, 2, …), or null when all `max` were used. */
  countTry(key: string, max: number, now: Date): Promise<number | null> {
    return this.tries.change(key, now, (held) => {
      if (noTriesLeft(held.attempts, max)) return { state: held, result: null };
      const { attempts } = countAttempt(held.attempts, max);
      return { state: { attempts }, result: attempts };
    });
  }
}
