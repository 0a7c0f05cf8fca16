import type { Request, Response } from 'express';
import { isLocale, negotiateLocale } from './i18n.js';

/** The query parameter of the language switch: `?lang=fr`. */
export const LANG_PARAM = 'lang';

/**
 * The page language: a switch just clicked (`?lang=`), else the one chosen before (a cookie),
 * else what the browser asks for. Only languages we have are ever taken from the request.
 */
export function chooseLocale(req: Request, res: Response, options: { secure: boolean }): string {
  const asked = req.query[LANG_PARAM];
  if (isLocale(asked)) {
    rememberLocale(res, asked, options);
    return asked;
  }
  const remembered = readCookie(req, cookieName(options.secure));
  return isLocale(remembered) ? remembered : negotiateLocale(req);
}

/** Keeps the language chosen in a cookie of its own, for a year. */
export function rememberLocale(res: Response, locale: string, options: { secure: boolean }): void {
  res.cookie(cookieName(options.secure), locale, {
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: '/',
    maxAge: 365 * 24 * 3600 * 1000,
  });
}

function cookieName(secure: boolean): string {
  return secure ? '__Host-hook.lang' : 'hook.lang';
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === name) return value;
  }
  return undefined;
}
