import { z } from 'zod';
import { claimNameSchema, stepIdSchema, type StepConfigBase } from '../step-type.js';
import { localisedText, type LocalisedText } from '../localised-text.js';

/**
 * The profile step's part of the steps file: fields the user fills in, each returned to the tenant
 * under its claim name. Shapes only; what a value may be is checked by the step itself.
 */

/** The names the step page's form gives its own fields (which step, and which button). */
const FORM_FIELDS: ReadonlySet<string> = new Set(['step', 'decision']);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is written YYYY-MM-DD')
  .refine(isRealDate, 'not a real calendar date');

const common = {
  /** Also the form field's name. */
  claim: claimNameSchema,
  label: localisedText(120),
  /** A sentence under the label, e.g. what the value is used for or its format. */
  help: localisedText(300).optional(),
  required: z.boolean().default(false),
  /** A claim from the session token whose value fills the field in advance. */
  prefillClaim: claimNameSchema.optional(),
  /** The HTML autocomplete token (WCAG 1.3.5), e.g. "given-name", "email", "tel", "bday". */
  autocomplete: z
    .string()
    .regex(/^[a-z0-9 -]{1,60}$/, 'an autocomplete value is an HTML token such as "given-name"')
    .optional(),
};

const textField = z
  .strictObject({
    ...common,
    type: z.literal('text'),
    minLength: z.number().int().min(0).max(500).optional(),
    maxLength: z.number().int().min(1).max(500).default(100),
    /** A regular expression the whole value must match (Unicode mode). */
    pattern: z.string().min(1).max(200).refine(compiles, 'not a valid regular expression').optional(),
    /** Shown when the pattern does not match; say what is expected, e.g. "8 digits". */
    patternMessage: localisedText(200).optional(),
  })
  .refine((f) => f.minLength === undefined || f.minLength <= f.maxLength, 'minLength is larger than maxLength');

const emailField = z.strictObject({
  ...common,
  type: z.literal('email'),
  maxLength: z.number().int().min(6).max(254).default(254),
});

const phoneField = z.strictObject({ ...common, type: z.literal('phone') });

const dateField = z
  .strictObject({ ...common, type: z.literal('date'), min: isoDate.optional(), max: isoDate.optional() })
  .refine((f) => f.min === undefined || f.max === undefined || f.min <= f.max, 'min is after max');

const selectField = z.strictObject({
  ...common,
  type: z.literal('select'),
  options: z
    .array(
      z.strictObject({
        value: z.string().regex(/^[^\p{Cc}]{1,100}$/u, 'an option value is 1 to 100 characters'),
        label: localisedText(120),
      }),
    )
    .min(1, 'a select needs options')
    .max(100)
    .refine(
      (options) => new Set(options.map((o) => o.value)).size === options.length,
      'two options have the same value',
    ),
});

const checkboxField = z.strictObject({ ...common, type: z.literal('checkbox') });

export const profileStepSchema = z.strictObject({
  type: z.literal('profile'),
  id: stepIdSchema,
  title: localisedText(120).optional(),
  intro: localisedText(500).optional(),
  fields: z
    .array(z.discriminatedUnion('type', [textField, emailField, phoneField, dateField, selectField, checkboxField]))
    .min(1, 'a profile step needs at least one field')
    .max(20, 'at most 20 fields per profile step')
    .refine((fields) => new Set(fields.map((f) => f.claim)).size === fields.length, 'two fields use the same claim')
    .refine(
      (fields) => !fields.some((f) => FORM_FIELDS.has(f.claim)),
      `a field's claim may not be ${[...FORM_FIELDS].map((name) => `"${name}"`).join(' or ')}: the step's form uses that name itself`,
    ),
});

export type ProfileField = z.output<typeof profileStepSchema>['fields'][number];

export interface ProfileStepConfig extends StepConfigBase {
  type: 'profile';
  title: LocalisedText | undefined;
  intro: LocalisedText | undefined;
  fields: readonly ProfileField[];
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** YYYY-MM-DD naming a day that exists (no 31 April). */
export function isRealDate(value: string): boolean {
  const [y, m, d] = value.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d && y >= 1000;
}
