import { z } from 'zod';

/** A language tag as the steps file writes it: "en", "fr", "pt-BR". */
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Z]{2})?$/;

/**
 * Issuer-written text that may differ per language: one plain string for every language, or an
 * object keyed by language tag.
 */
export type LocalisedText = string | Readonly<Record<string, string>>;

/** One piece of text and the language it is really in (a fallback may differ from the page's). */
export interface ResolvedText {
  text: string;
  /** Null when the text was given as one plain string: it is taken to be in the page's language. */
  lang: string | null;
}

/** Schema for a localised text of at most `max` characters. */
export function localisedText(max: number) {
  const text = z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
  return z.union([
    text,
    z
      .record(z.string().regex(LANGUAGE_TAG, 'a language key is a tag such as "en" or "fr"'), text)
      .refine((byLang) => Object.keys(byLang).length > 0, 'give the text in at least one language'),
  ]);
}

/** The text in `locale`, else English, else the first language given. */
export function resolveText(value: LocalisedText, locale: string): ResolvedText {
  if (typeof value === 'string') return { text: value, lang: null };
  for (const lang of [locale, 'en', ...Object.keys(value)]) {
    const text = value[lang];
    if (text !== undefined) return { text, lang };
  }
  throw new Error('a localised text has no language');
}
