import type { Request, RequestHandler, Response } from 'express';
import type { Issuer } from '../config/hook-config.js';
import type { BrandAssets } from './branding.js';
import { supportLink } from './branding.js';
import { isLocale, LOCALES, translator, type Catalogues } from './i18n.js';
import { chooseLocale, LANG_PARAM, rememberLocale } from './language-choice.js';
import { requestReference } from './request-logging.js';

/**
 * The form field of the language switch on a step page with errors: the switch is then a set of
 * buttons that submit the step's own form, so that what the user typed comes along (no
 * JavaScript, and the form's CSRF token with it). Claim names start with a letter, so no field
 * of a step can be called this.
 */
const LANG_FIELD = '_lang';

/** One entry of the language switch. */
export interface LanguageLink {
  code: string;
  /** The language's name in itself: "Français". */
  name: string;
  current: boolean;
  /** Query-only, so it keeps the page's path; null where the page cannot offer the switch. */
  href: string | null;
}

/** What every page needs: the language and its switch, the translator, the issuer's look, the reference. */
export function pageLocals(
  issuer: Issuer,
  options: { brand: BrandAssets; secure: boolean; catalogues: Catalogues },
): RequestHandler {
  const support = supportLink(issuer.supportContact);
  // Made once: the translators and each language's name in itself do not change per request.
  const translators = new Map(LOCALES.map((code) => [code, translator(code, options.catalogues)]));
  const translate = (code: string) => translators.get(code) ?? translator(code, options.catalogues);
  const names = new Map(LOCALES.map((code) => [code, translate(code)('language.name')]));
  return (req, res, next) => {
    // A refusal at the callback is about the token in its URL; without the token it would turn
    // into "open this page from your wallet", so that page keeps its negotiated language.
    const canSwitch = req.query.session_token === undefined;
    const locale = chooseLocale(req, res, options);
    // A switch just clicked: the same page again without `?lang`, so that Back and reload do not
    // replay the old switch and flip the language back. The cookie now holds the choice.
    const target =
      canSwitch && (req.method === 'GET' || req.method === 'HEAD') && isLocale(req.query[LANG_PARAM])
        ? withoutLang(req.originalUrl)
        : null;
    if (target !== null) {
      res.set('Cache-Control', 'no-store');
      res.redirect(303, target);
      return;
    }
    const inLanguage = (code: string) => {
      const languages: LanguageLink[] = LOCALES.map((other) => ({
        code: other,
        name: names.get(other) ?? other,
        current: other === code,
        href: canSwitch ? `?${LANG_PARAM}=${other}` : null,
      }));
      Object.assign(res.locals, { locale: code, t: translate(code), languages });
    };
    inLanguage(locale);
    res.locals.languageField = LANG_FIELD;
    res.locals.switchLanguage = (code: unknown): boolean => {
      if (!isLocale(code)) return false;
      rememberLocale(res, code, options);
      inLanguage(code);
      return true;
    };
    Object.assign(res.locals, { issuer, brand: options.brand, support, reference: requestReference(req) });
    next();
  };
}

/**
 * For a step's POST: when the form was sent by a language button (`_lang`), switches the page's
 * language (and remembers it) and answers true; the step is then shown again, nothing decided.
 */
export function switchLanguageFromForm(req: Request, res: Response): boolean {
  const value = (req.body as Record<string, unknown> | undefined)?.[LANG_FIELD];
  const switchLanguage = res.locals.switchLanguage as ((code: unknown) => boolean) | undefined;
  return value !== undefined && switchLanguage !== undefined && switchLanguage(value);
}

/**
 * The same path and query without `lang`, or null when the path is not one to send a browser to
 * (`//host` or a backslash would be read as another site).
 */
function withoutLang(originalUrl: string): string | null {
  const cut = originalUrl.indexOf('?');
  const path = cut === -1 ? originalUrl : originalUrl.slice(0, cut);
  if (!path.startsWith('/') || path.startsWith('//') || path.includes('\\')) return null;
  const query = new URLSearchParams(cut === -1 ? '' : originalUrl.slice(cut + 1));
  query.delete(LANG_PARAM);
  const rest = query.toString();
  return rest === '' ? path : `${path}?${rest}`;
}
