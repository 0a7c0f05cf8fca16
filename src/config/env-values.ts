import { z } from 'zod';
import { decodeHookSecret } from '../mattr/hook-secret.js';
import { normaliseUrl } from '../mattr/hook-url.js';
import { brokenUrlRules, type UrlRule } from '../web/url-rules.js';

/** The shapes environment variables come in, each with messages that name the variable. */

export const httpUrl = (name: string) =>
  z
    .string({ error: `${name} is required` })
    .trim()
    .min(1, `${name} is required`)
    .superRefine((v, ctx) => {
      const messages: Partial<Record<UrlRule, string>> = {
        'valid URL': `${name} must be an absolute URL, e.g. https://…`,
        HTTPS: `${name} must use https:// (or http:// for local use)`,
        'no query string': `${name} must not have a query string or fragment`,
        'no fragment': `${name} must not have a query string or fragment`,
      };
      const broken = brokenUrlRules(v, { http: 'anywhere', noQuery: true, noFragment: true });
      for (const message of new Set(broken.map((rule) => messages[rule])))
        if (message) ctx.addIssue({ code: 'custom', message });
    })
    .transform(normaliseUrl);

/** A server URL of one of `protocols`. The value is never echoed: it may hold a password. */
export const serverUrl = (name: string, protocols: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || URL.canParse(v), `${name} is not a valid URL; expected ${example}`)
    .refine(
      (v) => v === undefined || !URL.canParse(v) || protocols.includes(new URL(v).protocol),
      `${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}, e.g. ${example}`,
    );

export const integer = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

export const hookSecret = (name: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => v === undefined || decodeHookSecret(v) !== null,
      `${name} must be the base64 secret the tenant returned (32 bytes or more)`,
    );
