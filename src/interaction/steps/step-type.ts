import { z } from 'zod';
import type { Logger } from 'pino';
import type { Messages } from '../../web/i18n.js';
import type { PublishedTermsStore, StepRecords, SubjectRecords } from './step-ports.js';
import type { Step } from './step.js';

/** A claim name as OpenID Connect writes them (given_name, phone_number), wherever a steps file names one. */
export const claimNameSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]{0,63}$/,
    'a claim name is letters, digits and "_", starting with a letter (at most 64)',
  );

/** A step's `id` in the steps file: optional (the type's name by default), needed when a type appears twice. */
export const stepIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a step id is lower-case letters, digits and dashes')
  .optional();

/** Every step's config has these, whatever its type. */
export interface StepConfigBase {
  readonly type: string;
  readonly id: string;
}

/** Where a step's entry sits in the steps file, to name it in messages and read files beside it. */
export interface EntryContext {
  /** The steps file's folder: paths in an entry are relative to it. */
  dir: string;
  /** "HOOK_CONFIG <file>: steps.<n>", to start a message with. */
  where: string;
  id: string;
  /** The process environment as the configuration loader read it: for secrets an entry names. */
  env: Readonly<Record<string, string | undefined>>;
}

/** The ports a step type may ask for, by name (`StepType.ports`). Each is a port, never an engine. */
export interface StepPorts {
  /** Short-lived records about one interaction, with an atomic take. */
  records: StepRecords;
  /** What each terms version was published as. */
  terms: PublishedTermsStore;
  /** What steps keep per subject from one journey to the next (passkeys…), each type under its own kind. */
  subjectRecords: SubjectRecords;
}

export type StepPortName = keyof StepPorts;

/**
 * What a step of a type is built with: the ports its type declared and nothing else, the settings
 * its type read from the environment (absent only when a test configures a step without them),
 * and plain values about the hook.
 */
export type StepServices<Ports extends StepPortName = never, Settings = undefined> = Pick<StepPorts, Ports> & {
  logger: Logger;
  /** The hook's public URL (HOOK_URL). */
  hookUrl: string;
  issuerName: string;
  settings: Settings | undefined;
  /**
   * A key of this step type's own, the same on every replica (derived from the session secret):
   * for keyed hashes of what the step stores, e.g. a one-time code. Never logged or shown.
   */
  stepSecret: Buffer;
};

/**
 * The messages of one step type, in every language the pages speak, each with exactly the keys
 * `Key`; made with `defineMessages`, whose English table names the keys.
 */
export type StepMessages<Key extends string = string> = Messages<Key>;

/**
 * A step type: one folder under `steps/<type>/`, one template `views/steps/<type>.ejs`, one line
 * in the registry. `Entry` is what the steps file holds, `Config` what the step runs on, `Ports`
 * the storage it needs, `Settings` what it reads from the environment, `Key` its messages' keys.
 */
export interface StepType<
  Entry extends { type: string; id?: string | undefined },
  Config extends StepConfigBase,
  Ports extends StepPortName = never,
  Settings = undefined,
  Key extends string = string,
> {
  readonly type: string;
  /** The entry in the steps file; `type` is a literal, `id` optional. */
  readonly schema: z.ZodType<Entry>;
  /** The ports its steps are given (and no other). */
  readonly ports: readonly Ports[];
  /**
   * Whether a step of this type, when it succeeds, has verified that the person is the subject
   * (a code sent to them, a passkey, a sign-in at their provider), as against only asking them.
   */
  readonly verifiesPerson: boolean;
  /** The entry made ready to run (files read, secrets looked up); problems as plain sentences. */
  load(entry: Entry, at: EntryContext): { ok: true; config: Config } | { ok: false; problems: string[] };
  /** Claims this step reads from the tenant's token: what the registration asks the tenant to send. */
  claimsRead(config: Config): string[];
  /** Claims this step adds to what the tenant receives: two steps may not collect the same one. */
  claimsCollected?(config: Config): string[];
  /** Environment variables this type needs when a steps file has it, checked in the one start-up message. */
  environment?(
    env: Readonly<Record<string, string | undefined>>,
  ): { ok: true; settings: Settings } | { ok: false; problems: string[] };
  build(config: Config, services: StepServices<Ports, Settings>): Step<Key>;
  /** Work at start-up, with the storage (publishing terms, discovering a provider); problems as sentences. */
  prepare?(config: Config, services: StepServices<Ports, Settings>): Promise<string[]>;
  /** What `interaction-hook doctor` checks for a step of this type (its provider answers…); never a secret. */
  doctor?(
    config: Config,
    context: { hookUrl: string | undefined; env: Readonly<Record<string, string | undefined>> },
  ): Promise<StepDoctorCheck[]>;
  readonly messages: StepMessages<Key>;
}

/** One line of `doctor` about a step: what was found and, unless ok, the fix. */
export interface StepDoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** Narrows a type's definition while keeping its own Entry, Config, Ports, Settings and Key types. */
export function defineStepType<
  Entry extends { type: string; id?: string | undefined },
  Config extends StepConfigBase,
  Ports extends StepPortName = never,
  Settings = undefined,
  Key extends string = string,
>(type: StepType<Entry, Config, Ports, Settings, Key>): StepType<Entry, Config, Ports, Settings, Key> {
  return type;
}
