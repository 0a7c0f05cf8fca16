import type { ProfileMessageKey } from './messages.js';
import { isRealDate } from './profile-schema.js';

/**
 * A date field as three boxes (day, month, year) in the page's language, in place of the browser's
 * date picker, which speaks the browser's language and order. The tenant still receives YYYY-MM-DD.
 * Day, month, year is the order of both languages the pages speak.
 */
export const DATE_PARTS = ['day', 'month', 'year'] as const;
export type DatePart = (typeof DATE_PARTS)[number];
export type DateParts = Record<DatePart, string>;

/** The form field of one box: claim names have no "-", so no other field of the step has this name. */
export function datePartName(claim: string, part: DatePart): string {
  return `${claim}-${part}`;
}

/** The boxes as posted; each arrives hostile. */
export function postedDateParts(input: Readonly<Record<string, unknown>>, claim: string): Record<DatePart, unknown> {
  const read = (part: DatePart) => {
    const name = datePartName(claim, part);
    return Object.hasOwn(input, name) ? input[name] : undefined;
  };
  return { day: read('day'), month: read('month'), year: read('year') };
}

/** A YYYY-MM-DD value (a prefilled claim) as the boxes show it; anything else leaves them empty. */
export function isoToParts(value: unknown): DateParts {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value) || !isRealDate(value))
    return { day: '', month: '', year: '' };
  const [year = '', month = '', day = ''] = value.split('-');
  return { day: String(Number(day)), month: String(Number(month)), year };
}

/** What the boxes say: a date, nothing at all, or which message to show. */
export type DateReading =
  { kind: 'date'; iso: string } | { kind: 'empty' } | { kind: 'problem'; key: ProfileMessageKey };

/** Reads trimmed boxes: digits only, day and month of one or two, the year of four, a day that exists. */
export function readDateParts(parts: DateParts): DateReading {
  const { day, month, year } = parts;
  if (day === '' && month === '' && year === '') return { kind: 'empty' };
  if (day === '' || month === '' || year === '') return { kind: 'problem', key: 'profile.error.dateIncomplete' };
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d+$/.test(year))
    return { kind: 'problem', key: 'profile.error.date' };
  if (year.length !== 4) return { kind: 'problem', key: 'profile.error.dateYear' };
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return isRealDate(iso) ? { kind: 'date', iso } : { kind: 'problem', key: 'profile.error.date' };
}

/** Each language's way of writing a date in full: "31 December 2010", "31 décembre 2010". */
const DATE_LOCALES: Readonly<Record<string, string>> = { en: 'en-NZ', fr: 'fr-FR' };

/** A YYYY-MM-DD date as the page's language writes it in full. */
export function formatDate(iso: string, locale: string): string {
  const format = new Intl.DateTimeFormat(DATE_LOCALES[locale] ?? locale, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return format.format(new Date(`${iso}T00:00:00Z`));
}
