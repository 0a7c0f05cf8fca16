import type { RequestHandler } from 'express';
import type { Issuer } from '../config/hook-config.js';
import type { BrandAssets } from './branding.js';
import { supportLink } from './branding.js';
import { LOCALES, translator, type Catalogues } from './i18n.js';
import { chooseLocale, LANG_PARAM } from './language-choice.js';

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
export function pageLocals(issuer: Issuer, options: { brand: BrandAssets; secure: boolean; catalogues: Catalogues }): RequestHandler {
  const support = supportLink(issuer.supportContact);
  return (req, res, next) => {
    const locale = chooseLocale(req, res, options);
    // A refusal at the callback is about the token in its URL; without the token it would turn
    // into "open this page from your wallet", so that page keeps its negotiated language.
    const canSwitch = req.query.session_token === undefined;
    const languages: LanguageLink[] = LOCALES.map((code) => ({
      code,
      name: translator(code, options.catalogues)('language.name'),
      current: code === locale,
      href: canSwitch ? `?${LANG_PARAM}=${code}` : null,
    }));
    Object.assign(res.locals, { locale, t: translator(locale, options.catalogues), issuer, brand: options.brand, support, languages, reference: String(req.id) });
    next();
  };
}
