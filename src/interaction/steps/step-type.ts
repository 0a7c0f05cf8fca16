import { z } from 'zod';
import type { Logger } from 'pino';
import type { PasskeyCredentials, PublishedTermsStore, StepRecords } from './step-ports.js';
import type { Step } from './step.js';

/** A claim name as OpenID Connect writes them (given_name, phone_number), wherever a steps file names one. */
export const claimNameSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'a claim name is letters, digits and "_", starting with a letter (at most 64)');

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

/** The hook's parts a step may use when it is built and run. Each is a port, never an engine. */
export interface StepServices {
  records: StepRecords;
  terms: PublishedTermsStore;
  /** The passkeys subjects enrolled (passkey step). */
  passkeys: PasskeyCredentials;
  logger: Logger;
  /** The hook's public URL (HOOK_URL) and the ledger's subject claim. */
  hookUrl: string;
  issuerName: string;
  /** What each step type reads from the environment, loaded and checked once at start-up. */
  settings: Readonly<Record<string, unknown>>;
  /**
   * A key of this step type's own, the same on every replica (derived from the session secret):
   * for keyed hashes of what the step stores, e.g. a one-time code. Never logged or shown.
   */
  stepSecret: Buffer;
}

/** The messages of one step type, per language; English is the reference. */
export interface StepMessages {
  en: Readonly<Record<string, string>>;
  [locale: string]: Readonly<Record<string, string>>;
}

/**
 * A step type: one folder under `steps/<type>/`, one template `views/steps/<type>.ejs`, one line
 * in the registry. `Entry` is what the steps file holds, `Config` what the step runs on.
 */
export interface StepType<Entry extends { type: string; id?: string | undefined } = { type: string; id?: string }, Config extends StepConfigBase = StepConfigBase> {
  readonly type: string;
  /** The entry in the steps file; `type` is a literal, `id` optional. */
  readonly schema: z.ZodType<Entry>;
  /** The entry made ready to run (files read, secrets looked up); problems as plain sentences. */
  load(entry: Entry, at: EntryContext): { ok: true; config: Config } | { ok: false; problems: string[] };
  /** Claims this step reads from the tenant's token: what the registration asks the tenant to send. */
  claimsRead(config: Config): string[];
  /** Claims this step adds to what the tenant receives: two steps may not collect the same one. */
  claimsCollected?(config: Config): string[];
  /** Environment variables this type needs when a steps file has it, checked in the one start-up message. */
  environment?(env: Readonly<Record<string, string | undefined>>): { ok: true; settings: Readonly<Record<string, unknown>> } | { ok: false; problems: string[] };
  build(config: Config, services: StepServices): Step;
  /** Work at start-up, with the storage (publishing terms, discovering a provider); problems as sentences. */
  prepare?(config: Config, services: StepServices): Promise<string[]>;
  /** What `interaction-hook doctor` checks for a step of this type (its provider answers…); never a secret. */
  doctor?(config: Config, context: { hookUrl: string | undefined; env: Readonly<Record<string, string | undefined>> }): Promise<StepDoctorCheck[]>;
  readonly messages: StepMessages;
}

/** One line of `doctor` about a step: what was found and, unless ok, the fix. */
export interface StepDoctorCheck {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** A step type with its own entry and config types forgotten, as the registry holds it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each type checks its own entry with its schema first
export type AnyStepType = StepType<any, any>;

/** Narrows a type's definition while keeping its own Entry and Config types. */
export function defineStepType<Entry extends { type: string; id?: string | undefined }, Config extends StepConfigBase>(type: StepType<Entry, Config>): StepType<Entry, Config> {
  return type;
}
