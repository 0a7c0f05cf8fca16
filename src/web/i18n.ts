import type { Request } from 'express';
import { en, type MessageKey } from './messages/en.js';
import { fr } from './messages/fr.js';

export type { MessageKey };
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

/** Every language the pages speak; each catalogue has exactly the English keys. */
export const catalogues: Readonly<Record<string, Readonly<Record<MessageKey, string>>>> = { en, fr };
const DEFAULT_LOCALE = 'en';
export const LOCALES = Object.keys(catalogues);

export function isLocale(value: unknown): value is string {
  return typeof value === 'string' && Object.hasOwn(catalogues, value);
}

/** The best language the browser asks for that we have, else the default. */
export function negotiateLocale(req: Request): string {
  const match = req.acceptsLanguages(...LOCALES);
  return typeof match === 'string' ? match : DEFAULT_LOCALE;
}

export function translator(locale: string): Translate {
  const catalogue = catalogues[locale] ?? en;
  return (key, params) => {
    const text = catalogue[key];
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole)) : text;
  };
}
