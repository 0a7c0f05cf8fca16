import { z } from 'zod';
import { claimNameSchema } from './steps/step-type.js';

/**
 * A step's `when`: a condition on the claims the tenant sent at arrival, so the plan (and "Step n
 * of m") is fixed when the journey starts. A claim the token lacks is neither equal to anything nor
 * in any list; `absent` is true for it (and for a claim that is `null`).
 */
export type StepCondition =
  | { claim: string; equals: ClaimScalar }
  | { claim: string; in: readonly ClaimScalar[] }
  | { claim: string; present: true }
  | { claim: string; absent: true }
  | { not: StepCondition }
  | { all: readonly StepCondition[] }
  | { any: readonly StepCondition[] };

type ClaimScalar = string | number | boolean;

const OPERATORS = ['equals', 'in', 'present', 'absent'] as const;
const COMBINATORS = ['not', 'all', 'any'] as const;
const SPELLINGS =
  '{"claim", "equals"}, {"claim", "in": [...]}, {"claim", "present": true}, {"claim", "absent": true}, {"not": …}, {"all": [...]} or {"any": [...]}';

const scalar = z.union([z.string().max(200), z.number(), z.boolean()], {
  error: 'a value to compare is a string, a number or true/false',
});
/** A tree deeper than this is a mistake in the file, not a condition anyone means. */
const MAX_DEPTH = 8;

const SHAPES = {
  equals: z.strictObject({ claim: claimNameSchema, equals: scalar }),
  in: z.strictObject({ claim: claimNameSchema, in: z.array(scalar).min(1, '"in" lists at least one value').max(100) }),
  present: z.strictObject({ claim: claimNameSchema, present: z.literal(true, { error: '"present" is written true' }) }),
  absent: z.strictObject({ claim: claimNameSchema, absent: z.literal(true, { error: '"absent" is written true' }) }),
} as const;

export type ConditionParse = { ok: true; condition: StepCondition } | { ok: false; problems: string[] };

/**
 * Reads a `when` from the steps file. Each problem names where it is (`at`, then the path inside the
 * condition), so a misspelt operator or a wrong type stops start-up with a sentence that points at it.
 */
export function parseStepCondition(raw: unknown, at: string): ConditionParse {
  const problems: string[] = [];
  const condition = read(raw, at, 0, problems);
  return condition === undefined || problems.length > 0 ? { ok: false, problems } : { ok: true, condition };
}

function read(raw: unknown, at: string, depth: number, problems: string[]): StepCondition | undefined {
  if (depth > MAX_DEPTH) {
    problems.push(`${at}: conditions nest at most ${MAX_DEPTH} deep`);
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${at}: a condition is an object: ${SPELLINGS}`);
    return undefined;
  }
  const keys = Object.keys(raw);
  const combinator = COMBINATORS.find((c) => keys.includes(c));
  if (combinator !== undefined) {
    const extra = keys.filter((k) => k !== combinator);
    if (extra.length > 0) {
      problems.push(
        `${at}: "${combinator}" stands alone in its object; unexpected ${extra.map((k) => `"${k}"`).join(', ')}`,
      );
      return undefined;
    }
    const inner = (raw as Record<string, unknown>)[combinator];
    if (combinator === 'not') {
      const operand = read(inner, `${at}.not`, depth + 1, problems);
      return operand && { not: operand };
    }
    if (!Array.isArray(inner) || inner.length === 0) {
      problems.push(`${at}.${combinator}: a non-empty list of conditions`);
      return undefined;
    }
    const operands = inner.map((c, i) => read(c, `${at}.${combinator}.${i}`, depth + 1, problems));
    if (operands.some((c) => c === undefined)) return undefined;
    return combinator === 'all' ? { all: operands as StepCondition[] } : { any: operands as StepCondition[] };
  }
  const operators = OPERATORS.filter((o) => keys.includes(o));
  const [operator] = operators;
  if (operator === undefined || operators.length > 1) {
    const unknown = keys.filter((k) => k !== 'claim' && !(OPERATORS as readonly string[]).includes(k));
    problems.push(
      operators.length > 1
        ? `${at}: one operator per condition, not ${operators.map((o) => `"${o}"`).join(' and ')}; combine with "all" or "any"`
        : `${at}: ${unknown.length > 0 ? `unknown operator ${unknown.map((k) => `"${k}"`).join(', ')}` : 'no operator'}; write ${SPELLINGS}`,
    );
    return undefined;
  }
  const parsed = SHAPES[operator].safeParse(raw);
  if (!parsed.success) {
    problems.push(
      ...parsed.error.issues.map((i) => `${at}${i.path.map((p) => `.${String(p)}`).join('')}: ${i.message}`),
    );
    return undefined;
  }
  return parsed.data;
}

/** Whether `condition` holds for the claims the tenant sent. */
export function conditionHolds(condition: StepCondition, claims: Readonly<Record<string, unknown>>): boolean {
  if ('not' in condition) return !conditionHolds(condition.not, claims);
  if ('all' in condition) return condition.all.every((c) => conditionHolds(c, claims));
  if ('any' in condition) return condition.any.some((c) => conditionHolds(c, claims));
  const value = Object.hasOwn(claims, condition.claim) ? claims[condition.claim] : undefined;
  if ('equals' in condition) return value === condition.equals;
  if ('in' in condition) return condition.in.some((v) => v === value);
  if ('present' in condition) return value !== undefined && value !== null;
  return value === undefined || value === null;
}

/** The claims a condition reads: the registration must ask the tenant to send them. */
export function conditionClaims(condition: StepCondition): string[] {
  if ('not' in condition) return conditionClaims(condition.not);
  if ('all' in condition) return [...new Set(condition.all.flatMap(conditionClaims))];
  if ('any' in condition) return [...new Set(condition.any.flatMap(conditionClaims))];
  return [condition.claim];
}

/**
 * The condition as the ledger records it when it skipped a step: the rule from the steps file,
 * never the value the claim had (`not(email_verified = true)`).
 */
export function describeCondition(condition: StepCondition): string {
  if ('not' in condition) return `not(${describeCondition(condition.not)})`;
  if ('all' in condition) return `all(${condition.all.map(describeCondition).join(', ')})`;
  if ('any' in condition) return `any(${condition.any.map(describeCondition).join(', ')})`;
  if ('equals' in condition) return `${condition.claim} = ${JSON.stringify(condition.equals)}`;
  if ('in' in condition) return `${condition.claim} in [${condition.in.map((v) => JSON.stringify(v)).join(', ')}]`;
  if ('present' in condition) return `${condition.claim} present`;
  return `${condition.claim} absent`;
}
