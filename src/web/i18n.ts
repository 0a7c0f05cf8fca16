import type { Request } from 'express';
import { en, type MessageKey } from './messages/en.js';
import { fr } from './messages/fr.js';

export type { MessageKey };
/**
 * A page's words by key: the pages' own (MessageKey) and those of each step type. A step's code
 * gets one typed with its own keys (`Translate<TermsMessageKey>`), so a misspelt key does not compile.
 */
export type Translate<Key extends string = string> = (
  key: Key,
  params?: Readonly<Record<string, string | number>>,
) => string;

/** Language → key → text. English is the reference: every other language has exactly its keys. */
export type Catalogues = Readonly<Record<string, Readonly<Record<string, string>>>>;

const pages = { en, fr };

/** Every language the pages speak, with the pages' own messages. */
export const catalogues: Catalogues = pages;

/** A language the pages speak: a step type's messages are complete in each. */
export type Locale = keyof typeof pages;

/** Words in every language the pages speak, each with exactly the keys `Key`. */
export type Messages<Key extends string> = Readonly<Record<Locale, Readonly<Record<Key, string>>>>;

/**
 * Messages whose English table names the keys: a language that lacks one of them, or has one
 * more, does not compile. (The placeholders are compared by the catalogues' test.)
 */
export function defineMessages<Key extends string>(
  messages: { readonly en: Readonly<Record<Key, string>> } & {
    readonly [L in Exclude<Locale, 'en'>]: Readonly<Record<NoInfer<Key>, string>>;
  },
): Messages<Key> {
  return messages;
}
const DEFAULT_LOCALE = 'en';
export const LOCALES = Object.keys(catalogues);

/** The pages' messages with more merged in (each step type's own), language by language. */
export function withMessages(
  ...more: ReadonlyArray<Readonly<Record<string, Readonly<Record<string, string>>>>>
): Catalogues {
  return Object.fromEntries(
    LOCALES.map((locale) => [
      locale,
      Object.assign({}, catalogues[locale], ...more.map((m) => m[locale] ?? {})) as Record<string, string>,
    ]),
  );
}

export function isLocale(value: unknown): value is string {
  return typeof value === 'string' && Object.hasOwn(catalogues, value);
}

/** The best language the browser asks for that we have, else the default. */
export function negotiateLocale(req: Request): string {
  const match = req.acceptsLanguages(...LOCALES);
  return typeof match === 'string' ? match : DEFAULT_LOCALE;
}

/** Words in `locale` (English where a key has none there); an unknown key is shown as itself. */
export function translator(locale: string, from: Catalogues = catalogues): Translate {
  const catalogue = from[locale] ?? from[DEFAULT_LOCALE] ?? {};
  const fallback = from[DEFAULT_LOCALE] ?? {};
  return (key, params) => {
    const text = catalogue[key] ?? fallback[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)) : text;
  };
}
