import { describe, expect, it } from 'vitest';
import type { ProfileField } from '../../src/interaction/steps/profile/profile-schema.js';
import { profileStepSchema } from '../../src/interaction/steps/profile/profile-schema.js';
import { normalisePhone, readField } from '../../src/interaction/steps/profile/profile-values.js';
import { profileMessages } from '../../src/interaction/steps/profile/messages.js';
import { translator, withMessages } from '../../src/web/i18n.js';

const catalogues = withMessages(profileMessages);

const t = translator('en', catalogues);
const field = (raw: Record<string, unknown>): ProfileField =>
  profileStepSchema.parse({ type: 'profile', fields: [{ claim: 'x', label: 'Thing', ...raw }] }).fields[0]!;
const read = (f: ProfileField, value: unknown, locale = 'en') =>
  readField(f, value, locale, translator(locale, catalogues));

describe('reading a posted profile field', () => {
  it('trims and NFC-normalises text, and leaves an empty optional field out', () => {
    const text = field({ type: 'text' });
    expect(read(text, '  Ame\u0301lie ')).toEqual({ ok: true, value: 'Amélie' });
    expect(read(text, '   ')).toEqual({ ok: true, value: undefined });
    expect(read(text, undefined)).toEqual({ ok: true, value: undefined });
  });

  it('asks for a required value, naming the field', () => {
    expect(read(field({ type: 'text', required: true }), '')).toEqual({ ok: false, message: 'Fill in “Thing”.' });
    expect(read(field({ type: 'select', required: true, options: [{ value: 'a', label: 'A' }] }), '')).toEqual({
      ok: false,
      message: 'Choose an option for “Thing”.',
    });
    expect(read(field({ type: 'checkbox', required: true }), undefined)).toEqual({
      ok: false,
      message: 'Tick “Thing” to continue.',
    });
  });

  it('refuses repeated fields, control characters and direction overrides', () => {
    const text = field({ type: 'text' });
    for (const hostile of [['a', 'b'], 'a\u0000b', 'line\nbreak', 'abc\u202edcba', { a: 1 }]) {
      expect(read(text, hostile), JSON.stringify(hostile)).toEqual({
        ok: false,
        message: 'Remove the characters that cannot be used from “Thing”.',
      });
    }
  });

  it('checks length limits and patterns, with the issuer’s own pattern message when given', () => {
    const text = field({
      type: 'text',
      minLength: 3,
      maxLength: 5,
      pattern: '[a-z]+',
      patternMessage: { en: 'Lower-case letters only.', fr: 'Minuscules uniquement.' },
    });
    expect(read(text, 'ab')).toMatchObject({ ok: false, message: 'Enter at least 3 characters in “Thing”.' });
    expect(read(text, 'abcdef')).toMatchObject({ ok: false, message: 'Enter at most 5 characters in “Thing”.' });
    expect(read(text, 'ABC')).toEqual({ ok: false, message: 'Lower-case letters only.' });
    expect(read(text, 'ABC', 'fr')).toEqual({ ok: false, message: 'Minuscules uniquement.' });
    // The pattern must match the whole value, not a part of it.
    expect(read(text, 'ab1cd')).toMatchObject({ ok: false });
    expect(read(text, 'abc')).toEqual({ ok: true, value: 'abc' });
  });

  it('checks email addresses', () => {
    const email = field({ type: 'email' });
    expect(read(email, 'aroha@example.co.nz')).toEqual({ ok: true, value: 'aroha@example.co.nz' });
    for (const bad of ['aroha', 'aroha@', 'a b@example.com', 'aroha@example', '@example.com']) {
      expect(read(email, bad), bad).toMatchObject({ ok: false });
    }
  });

  it('normalises phone numbers to digits with an optional leading +', () => {
    const phone = field({ type: 'phone' });
    expect(read(phone, '+64 (21) 123-4567')).toEqual({ ok: true, value: '+64211234567' });
    expect(read(phone, '0064 21 123 4567')).toEqual({ ok: true, value: '+64211234567' });
    expect(normalisePhone('06.12.34.56.78')).toBe('0612345678');
    for (const bad of ['12345', '+64 21 abc', '+1234567890123456', '1'.repeat(31)]) {
      expect(read(phone, bad), bad).toMatchObject({ ok: false });
    }
  });

  it('reads a date from its day, month and year boxes into YYYY-MM-DD', () => {
    const date = field({ type: 'date', min: '1900-01-01', max: '2010-12-31' });
    expect(read(date, { day: '27', month: '3', year: '1990' })).toEqual({ ok: true, value: '1990-03-27' });
    expect(read(date, { day: ' 07 ', month: '03', year: '1990' })).toEqual({ ok: true, value: '1990-03-07' });
    expect(read(date, { day: '', month: '', year: '' })).toEqual({ ok: true, value: undefined });
    expect(read(field({ type: 'date', required: true }), {})).toEqual({ ok: false, message: 'Fill in “Thing”.' });
  });

  it('says what is wrong with a date in one style, in English and French, with limits written as each language does', () => {
    const date = field({ type: 'date', min: '1900-01-01', max: '2010-12-31' });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [
        { day: '31', month: '2', year: '1990' },
        'Enter a real date in “Thing”.',
        'Saisissez une date valide dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: '31', month: '4', year: '1990' },
        'Enter a real date in “Thing”.',
        'Saisissez une date valide dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: '1', month: '13', year: '1990' },
        'Enter a real date in “Thing”.',
        'Saisissez une date valide dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: 'x', month: '3', year: '1990' },
        'Enter a real date in “Thing”.',
        'Saisissez une date valide dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: '27', month: '', year: '1990' },
        'Enter the day, month and year in “Thing”.',
        'Saisissez le jour, le mois et l’année dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: '27', month: '3', year: '90' },
        'Enter the year with 4 digits in “Thing”.',
        'Saisissez l’année sur 4 chiffres dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: '1', month: '1', year: '2011' },
        'Enter a date on or before 31 December 2010 in “Thing”.',
        'Saisissez une date jusqu’au 31 décembre 2010 dans «\u00a0Thing\u00a0».',
      ],
      [
        { day: '31', month: '12', year: '1899' },
        'Enter a date on or after 1 January 1900 in “Thing”.',
        'Saisissez une date à partir du 1 janvier 1900 dans «\u00a0Thing\u00a0».',
      ],
    ];
    for (const [boxes, en, fr] of cases) {
      expect(read(date, boxes), JSON.stringify(boxes)).toEqual({ ok: false, message: en });
      expect(read(date, boxes, 'fr'), JSON.stringify(boxes)).toEqual({ ok: false, message: fr });
    }
    // Boxes arrive hostile too: a repeated box, a control character.
    expect(read(date, { day: ['1', '2'], month: '3', year: '1990' })).toEqual({
      ok: false,
      message: 'Remove the characters that cannot be used from “Thing”.',
    });
    expect(read(date, { day: '1\u0000', month: '3', year: '1990' })).toEqual({
      ok: false,
      message: 'Remove the characters that cannot be used from “Thing”.',
    });
  });

  it('accepts only offered options and a ticked box', () => {
    const select = field({ type: 'select', options: [{ value: 'north', label: 'North' }] });
    expect(read(select, 'north')).toEqual({ ok: true, value: 'north' });
    expect(read(select, 'south')).toMatchObject({ ok: false });
    const box = field({ type: 'checkbox' });
    expect(read(box, 'yes')).toEqual({ ok: true, value: true });
    expect(read(box, undefined)).toEqual({ ok: true, value: false });
    expect(read(box, 'on')).toMatchObject({ ok: false });
  });

  it('keeps the translator honest about labels in other languages', () => {
    const localised = field({ type: 'text', required: true, label: { en: 'Name', fr: 'Nom' } });
    expect(read(localised, '', 'fr')).toEqual({ ok: false, message: 'Renseignez le champ «\u00a0Nom\u00a0».' });
    expect(t('profile.optional')).toBe('(optional)');
  });
});
