import { resolveText } from '../localised-text.js';
import type { Translate } from '../../../web/i18n.js';
import type { ProfileMessageKey } from './messages.js';
import { DATE_PARTS, formatDate, readDateParts, type DateParts } from './profile-date.js';
import type { ProfileField } from './profile-schema.js';

/**
 * What one posted profile field means: a claim value, nothing (an empty optional field), or a
 * message for the user. Every value arrives hostile: repeated fields, control characters and
 * direction overrides are refused, text is trimmed and NFC-normalised.
 */
export type FieldReading = { ok: true; value: string | boolean | undefined } | { ok: false; message: string };

/** Longest phone input accepted before normalising: room for spaces, dashes and brackets. */
export const PHONE_INPUT_MAX = 30;
/** E.164: a country code and a number, at most 15 digits; local numbers need at least 6. */
const PHONE = /^\+?\d{6,15}$/;
/** Pragmatic: something@domain.tld, no spaces. Whether the mailbox exists is not ours to check. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/u;
/** Control characters, and bidirectional overrides that can make text read other than it is. */
const UNSAFE = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

export function readField(
  field: ProfileField,
  raw: unknown,
  locale: string,
  t: Translate<ProfileMessageKey>,
): FieldReading {
  const label = resolveText(field.label, locale).text;
  const fail = (key: ProfileMessageKey, params: Record<string, string | number> = {}): FieldReading => ({
    ok: false,
    message: t(key, { label, ...params }),
  });

  if (field.type === 'checkbox') {
    const ticked = raw === 'yes';
    if (raw !== undefined && !ticked) return fail('profile.error.option');
    if (field.required && !ticked) return fail('profile.error.tick');
    return { ok: true, value: ticked };
  }
  if (field.type === 'date') {
    // Three boxes (postedDateParts), each read as a text value is.
    const boxes = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const parts: Partial<DateParts> = {};
    for (const part of DATE_PARTS) {
      const value = boxes[part];
      if (value !== undefined && typeof value !== 'string') return fail('profile.error.characters');
      parts[part] = (value ?? '').normalize('NFC').trim();
      if (UNSAFE.test(parts[part])) return fail('profile.error.characters');
    }
    const reading = readDateParts(parts as DateParts);
    if (reading.kind === 'empty')
      return field.required ? fail('profile.error.required') : { ok: true, value: undefined };
    if (reading.kind === 'problem') return fail(reading.key);
    if (field.min !== undefined && reading.iso < field.min)
      return fail('profile.error.dateMin', { min: formatDate(field.min, locale) });
    if (field.max !== undefined && reading.iso > field.max)
      return fail('profile.error.dateMax', { max: formatDate(field.max, locale) });
    return { ok: true, value: reading.iso };
  }
  if (raw !== undefined && typeof raw !== 'string') return fail('profile.error.characters');
  const value = (raw ?? '').normalize('NFC').trim();
  if (UNSAFE.test(value)) return fail('profile.error.characters');
  if (value === '')
    return field.required
      ? fail(field.type === 'select' ? 'profile.error.choose' : 'profile.error.required')
      : { ok: true, value: undefined };

  switch (field.type) {
    case 'text': {
      if (field.minLength !== undefined && value.length < field.minLength)
        return fail('profile.error.tooShort', { min: field.minLength });
      if (value.length > field.maxLength) return fail('profile.error.tooLong', { max: field.maxLength });
      if (field.pattern !== undefined && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) {
        return field.patternMessage !== undefined
          ? { ok: false, message: resolveText(field.patternMessage, locale).text }
          : fail('profile.error.pattern');
      }
      return { ok: true, value };
    }
    case 'email':
      if (value.length > field.maxLength) return fail('profile.error.tooLong', { max: field.maxLength });
      return EMAIL.test(value) ? { ok: true, value } : fail('profile.error.email');
    case 'phone': {
      if (value.length > PHONE_INPUT_MAX) return fail('profile.error.phone');
      const phone = normalisePhone(value);
      return PHONE.test(phone) ? { ok: true, value: phone } : fail('profile.error.phone');
    }
    case 'select':
      return field.options.some((o) => o.value === value) ? { ok: true, value } : fail('profile.error.option');
  }
}

/** "+64 (21) 123-4567" → "+64211234567"; a leading 00 is the international prefix. */
export function normalisePhone(value: string): string {
  const compact = value.replace(/[\s().\-\u00a0]/g, '');
  return compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
}

/** The largest value a field can ever produce, for the URL budget: 3 UTF-8 bytes per character. */
export function largestValue(field: ProfileField): string | boolean {
  const wide = (n: number) => '\u20ac'.repeat(n);
  switch (field.type) {
    case 'checkbox':
      return false;
    case 'text':
    case 'email':
      return wide(field.maxLength);
    case 'phone':
      return `+${'9'.repeat(15)}`;
    case 'date':
      return '9999-12-31';
    case 'select':
      return field.options.map((o) => o.value).reduce((a, b) => (jsonBytes(b) > jsonBytes(a) ? b : a));
  }
}

function jsonBytes(value: string): number {
  return Buffer.byteLength(JSON.stringify(value));
}
