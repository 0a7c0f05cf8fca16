import type { RequestHandler } from 'express';
import type { HookConfig } from '../config/hook-config.js';
import { negotiateLocale, translator } from './i18n.js';

/** What every page needs: the language, the translator, the issuer and the request reference. */
export function pageLocals(issuer: HookConfig['issuer']): RequestHandler {
  return (req, res, next) => {
    const locale = negotiateLocale(req);
    res.locals.locale = locale;
    res.locals.t = translator(locale);
    res.locals.issuer = issuer;
    res.locals.reference = String(req.id);
    next();
  };
}
