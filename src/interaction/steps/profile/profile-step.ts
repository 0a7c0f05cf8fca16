import { resolveText, type ResolvedText } from '../localised-text.js';
import type { FormInput, Step, StepContext, StepOutcome } from '../step.js';
import type { ProfileField, ProfileStepConfig } from './profile-schema.js';
import { DATE_PARTS, datePartName, isoToParts, postedDateParts } from './profile-date.js';
import { largestValue, PHONE_INPUT_MAX, readField } from './profile-values.js';
import type { ProfileMessageKey } from './messages.js';

/** What a step of this type sees: its `t` takes this type's message keys. */
type Context = StepContext<ProfileMessageKey>;

/**
 * Sent to the tenant (and so to the wallet) when the user declines the profile step: plain
 * English, not localised, like the terms step's; a message of its own, so that the tenant can
 * tell which step the user left at.
 */
export const PROFILE_DECLINED_MESSAGE = 'The user chose not to continue.';

/** What the template needs to draw one field. */
export interface FieldView {
  name: string;
  /** The element id; prefixed so that no claim name can clash with the page's own ids. */
  id: string;
  control: 'input' | 'select' | 'checkbox' | 'date';
  label: ResolvedText;
  help: ResolvedText | null;
  required: boolean;
  value: string;
  checked: boolean;
  options: Array<{ value: string; label: ResolvedText; selected: boolean }>;
  /** A date's three boxes (day, month, year), each with its own name, label and value. */
  parts: Array<{ name: string; id: string; label: string; value: string; attributes: Record<string, string | number> }>;
  /** Extra attributes of the element, already decided; the template only prints them. */
  attributes: Record<string, string | number>;
}

/** "Tell us a bit more": fields from the steps file, returned under their claim names. */
export class ProfileStep implements Step<ProfileMessageKey> {
  readonly type = 'profile';
  readonly id: string;

  constructor(private readonly config: ProfileStepConfig) {
    this.id = config.id;
  }

  view(ctx: Context): Record<string, unknown> {
    return {
      title: this.config.title !== undefined ? resolveText(this.config.title, ctx.locale) : null,
      intro: this.config.intro !== undefined ? resolveText(this.config.intro, ctx.locale) : null,
      fields: this.config.fields.map((field) => fieldView(field, ctx)),
    };
  }

  decide(input: FormInput, ctx: Context): StepOutcome {
    // Declining checks nothing and keeps nothing of what was typed.
    if (input.decision === 'decline')
      return { kind: 'declined', message: PROFILE_DECLINED_MESSAGE, evidence: { fields: [], locale: ctx.locale } };
    const claims: Record<string, unknown> = {};
    const invalid: Record<string, string> = {};
    for (const field of this.config.fields) {
      const posted = field.type === 'date' ? postedDateParts(input, field.claim) : own(input, field.claim);
      const reading = readField(field, posted, ctx.locale, ctx.t);
      if (!reading.ok) invalid[field.claim] = reading.message;
      else if (reading.value !== undefined) claims[field.claim] = reading.value;
    }
    if (Object.keys(invalid).length > 0) return { kind: 'again', status: 422, errors: invalid };
    // The names of the fields answered, never their values (LEDGER_CLAIMS is the operator's opt-in for those).
    return { kind: 'next', claims, evidence: { fields: Object.keys(claims), locale: ctx.locale } };
  }

  largestClaims(): Record<string, unknown> {
    return Object.fromEntries(this.config.fields.map((field) => [field.claim, largestValue(field)]));
  }
}

/** A value the object itself holds: a claim may be called "constructor" or "toString". */
function own(values: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

function fieldView(field: ProfileField, ctx: Context): FieldView {
  const posted = ctx.input ? own(ctx.input, field.claim) : undefined;
  const prefill = field.prefillClaim === undefined ? undefined : own(ctx.claims, field.prefillClaim);
  const shown = ctx.input ? posted : prefill;
  const view: FieldView = {
    name: field.claim,
    id: `field-${field.claim}`,
    control: field.type === 'select' || field.type === 'checkbox' || field.type === 'date' ? field.type : 'input',
    label: resolveText(field.label, ctx.locale),
    help: field.help !== undefined ? resolveText(field.help, ctx.locale) : null,
    required: field.required,
    value: typeof shown === 'string' ? shown : '',
    checked: shown === 'yes' || shown === true || shown === 'true',
    options: [],
    parts: [],
    attributes: {},
  };
  if (field.autocomplete) view.attributes.autocomplete = field.autocomplete;
  switch (field.type) {
    case 'text':
      Object.assign(view.attributes, { type: 'text', maxlength: field.maxLength });
      if (field.minLength !== undefined && field.minLength > 0) view.attributes.minlength = field.minLength;
      break;
    case 'email':
      Object.assign(view.attributes, {
        type: 'email',
        maxlength: field.maxLength,
        autocomplete: field.autocomplete ?? 'email',
        autocapitalize: 'none',
        spellcheck: 'false',
      });
      break;
    case 'phone':
      Object.assign(view.attributes, {
        type: 'tel',
        maxlength: PHONE_INPUT_MAX,
        autocomplete: field.autocomplete ?? 'tel',
      });
      break;
    case 'date': {
      // What was typed, box by box; before that, the prefilled claim's YYYY-MM-DD split up.
      const posted = ctx.input ? postedDateParts(ctx.input, field.claim) : undefined;
      const shownParts = isoToParts(prefill);
      // A birth date's boxes say so to the browser's autofill (WCAG 1.3.5), each its own part.
      const birthday = field.autocomplete === 'bday';
      view.parts = DATE_PARTS.map((part) => {
        const typed = posted?.[part];
        return {
          name: datePartName(field.claim, part),
          id: `field-${field.claim}-${part}`,
          label: ctx.t(`profile.date.${part}`),
          value: posted ? (typeof typed === 'string' ? typed : '') : shownParts[part],
          attributes: {
            type: 'text',
            inputmode: 'numeric',
            maxlength: part === 'year' ? 4 : 2,
            class: `date-${part}`,
            ...(birthday ? { autocomplete: `bday-${part}` } : {}),
          },
        };
      });
      break;
    }
    case 'select':
      view.options = field.options.map((o) => ({
        value: o.value,
        label: resolveText(o.label, ctx.locale),
        selected: o.value === view.value,
      }));
      break;
    case 'checkbox':
      break;
  }
  return view;
}
