import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { conditionClaims, parseStepCondition, type StepCondition } from '../step-condition.js';
import type { Step } from './step.js';
import type {
  EntryContext,
  StepConfigBase,
  StepDoctorCheck,
  StepMessages,
  StepPortName,
  StepPorts,
  StepServices,
  StepType,
} from './step-type.js';

/** Everything the hook can give a step; each step is handed only what its type declared. */
export interface HookServices extends StepPorts {
  logger: Logger;
  hookUrl: string;
  issuerName: string;
  /** The session cookie's signing secret: each type's own key is derived from it. */
  sessionSecret: string;
}

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * One entry of the steps file bound to its type: its config (and settings) are applied once, here,
 * so nothing after the loader looks a type up by name or sees a config it must cast.
 */
export interface ConfiguredStep {
  readonly id: string;
  readonly type: string;
  /** The config the step runs on, for reading back (tests, doctor): its type's own shape. */
  readonly config: StepConfigBase;
  /** What its type read from the environment (undefined: none read), for reading back. */
  readonly settings: unknown;
  /** See `StepType.verifiesPerson`. */
  readonly verifiesPerson: boolean;
  readonly messages: StepMessages;
  /** Its `when`: the step runs only when this holds for the arrival's claims (undefined: always). */
  readonly when: StepCondition | undefined;
  /** The claims its type reads and those its `when` reads. */
  claimsRead(): string[];
  claimsCollected(): string[];
  /** The same step with what its type reads from the environment, or the problems found there. */
  withEnvironment(env: Environment): { ok: true; step: ConfiguredStep } | { ok: false; problems: string[] };
  build(hook: HookServices): Step;
  prepare(hook: HookServices): Promise<string[]>;
  doctor(context: { hookUrl: string | undefined; env: Environment }): Promise<StepDoctorCheck[]>;
}

/** A step type as the registry holds it: its own types closed over, entries checked by its own schema. */
export interface RegisteredStepType {
  readonly type: string;
  readonly messages: StepMessages;
  /** What the type reads from the environment (nothing, for a type that reads none), as start-up reads it. */
  readEnvironment(env: Environment): { ok: true } | { ok: false; problems: string[] };
  /**
   * An entry of the steps file, checked and loaded; problems as sentences starting with `at.where`.
   * Its `when` is read here, before the type's own schema sees the rest: any step may have one.
   */
  configure(entry: unknown, at: EntryContext): { ok: true; step: ConfiguredStep } | { ok: false; problems: string[] };
}

export function registerStepType<
  Entry extends { type: string; id?: string | undefined },
  Config extends StepConfigBase,
  Ports extends StepPortName,
  Settings,
>(type: StepType<Entry, Config, Ports, Settings>): RegisteredStepType {
  return {
    type: type.type,
    messages: type.messages,
    readEnvironment: (env) => {
      const read = type.environment?.(env);
      return read === undefined || read.ok ? { ok: true } : read;
    },
    configure(raw, at) {
      const { when: written, fields } = splitWhen(raw);
      const when = written === undefined ? undefined : parseStepCondition(written, `${at.where}.when`);
      const entry = type.schema.safeParse(fields);
      const problems = [
        ...(when?.ok === false ? when.problems : []),
        ...(entry.success
          ? []
          : entry.error.issues.map((i) => `${at.where}${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`)),
      ];
      if (!entry.success || problems.length > 0) return { ok: false, problems };
      const loaded = type.load(entry.data, at);
      return loaded.ok
        ? { ok: true, step: configureStep(type, loaded.config, undefined, when?.ok ? when.condition : undefined) }
        : loaded;
    },
  };
}

/** An entry's `when` (undefined: it has none) and the fields its type's schema checks. */
function splitWhen(raw: unknown): { when: unknown; fields: unknown } {
  if (typeof raw !== 'object' || raw === null || !Object.hasOwn(raw, 'when')) return { when: undefined, fields: raw };
  const { when, ...fields } = raw as Record<string, unknown>;
  return { when, fields };
}

/** A step of `type` with `config` (and `settings`, when its type reads any, and its `when`, when it has one) applied. */
export function configureStep<
  Entry extends { type: string; id?: string | undefined },
  Config extends StepConfigBase,
  Ports extends StepPortName,
  Settings,
>(
  type: StepType<Entry, Config, Ports, Settings>,
  config: Config,
  settings?: Settings,
  when?: StepCondition,
): ConfiguredStep {
  const services = (hook: HookServices): StepServices<Ports, Settings> => {
    const ports = Object.fromEntries(type.ports.map((name) => [name, hook[name]])) as Pick<StepPorts, Ports>;
    return {
      ...ports,
      logger: hook.logger,
      hookUrl: hook.hookUrl,
      issuerName: hook.issuerName,
      settings,
      stepSecret: stepSecret(hook.sessionSecret, type.type),
    };
  };
  return {
    id: config.id,
    type: type.type,
    config,
    settings,
    verifiesPerson: type.verifiesPerson,
    messages: type.messages,
    when,
    claimsRead: () => [...new Set([...type.claimsRead(config), ...(when ? conditionClaims(when) : [])])],
    claimsCollected: () => type.claimsCollected?.(config) ?? [],
    withEnvironment(env) {
      const read = type.environment?.(env);
      if (read === undefined) return { ok: true, step: this };
      return read.ok ? { ok: true, step: configureStep(type, config, read.settings, when) } : read;
    },
    build: (hook) => type.build(config, services(hook)),
    prepare: async (hook) => (await type.prepare?.(config, services(hook))) ?? [],
    doctor: async (context) => (await type.doctor?.(config, context)) ?? [],
  };
}

/**
 * The registry's list, refused when two types share a name: the loader would find only the first,
 * and both would be given the same key (`stepSecret` derives it from the name).
 */
export function distinctStepTypes(types: readonly RegisteredStepType[]): readonly RegisteredStepType[] {
  const names = types.map((type) => type.type);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0)
    throw new Error(`step types are registered twice under one name: ${[...new Set(twice)].join(', ')}`);
  return types;
}

/**
 * Each step type's key: the session secret is already the same on every replica (sessions need
 * it), and a key per type keeps one type's hashes useless to another.
 */
export function stepSecret(sessionSecret: string, type: string): Buffer {
  return createHmac('sha256', sessionSecret).update(`step-secret:${type}`).digest();
}

/**
 * The claims the configured steps read from the tenant's token: what the registration must ask
 * the tenant to send, and all it needs to send.
 */
export function claimsStepsRead(steps: readonly ConfiguredStep[]): string[] {
  return [...new Set(steps.flatMap((step) => step.claimsRead()))];
}

/**
 * A claim a step's `when` reads that `asked` (the claims the tenant is asked to send) lacks, one
 * sentence each naming the claim and the step: without it the plan would be decided on a claim
 * that never comes, so such a registration is an error, not a warning.
 */
export function whenClaimsNotAsked(steps: readonly ConfiguredStep[], asked: readonly string[]): string[] {
  const unasked = (step: ConfiguredStep) =>
    step.when === undefined ? [] : conditionClaims(step.when).filter((claim) => !asked.includes(claim));
  return steps.flatMap((step) =>
    unasked(step).map(
      (claim) => `the "when" of step "${step.id}" reads the claim "${claim}", which the tenant is not asked to send`,
    ),
  );
}

/** Each configured step's start-up work, in order; every problem as a plain sentence. */
export async function prepareSteps(steps: readonly ConfiguredStep[], hook: HookServices): Promise<string[]> {
  const problems: string[] = [];
  for (const step of steps) problems.push(...(await step.prepare(hook)));
  return problems;
}

/** The config of `step` read back with its own type, when it is a step of `type` (tests, tools). */
export function configOf<
  Entry extends { type: string; id?: string | undefined },
  Config extends StepConfigBase,
  Ports extends StepPortName,
  Settings,
>(step: ConfiguredStep | undefined, type: StepType<Entry, Config, Ports, Settings>): Config | undefined {
  // Only configureStep makes a ConfiguredStep, with its type's name and a config its type loaded.
  return step?.type === type.type ? (step.config as Config) : undefined;
}
