import { createHash } from 'node:crypto';
import { Router } from 'express';
import type { Issuer } from '../config/hook-config.js';

/** Where the pages find the issuer's look; null when the steps file sets none. */
export interface BrandAssets {
  stylesheetHref: string | null;
  logoSrc: string | null;
}

/**
 * The issuer's colour as a tiny stylesheet built once at start-up (the CSP allows no inline
 * styles) and the logo served from memory. URLs carry a content hash, so caches may keep them.
 */
export function branding(issuer: Issuer): { assets: BrandAssets; router: Router } {
  const router = Router();
  const assets: BrandAssets = { stylesheetHref: null, logoSrc: null };
  const cache = 'public, max-age=86400';

  if (issuer.primaryColor) {
    const css = `:root { --primary: ${issuer.primaryColor}; }\n`;
    assets.stylesheetHref = `/static/brand.css?v=${createHash('sha256').update(css).digest('hex').slice(0, 12)}`;
    router.get('/static/brand.css', (_req, res) => {
      res.set('Cache-Control', cache).type('text/css').send(css);
    });
  }
  const { logo } = issuer;
  if (logo) {
    assets.logoSrc = `/static/logo?v=${logo.version}`;
    router.get('/static/logo', (_req, res) => {
      // An SVG opened on its own must not run anything: it gets the strictest policy of all.
      res.set({
        'Cache-Control': cache,
        'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      });
      res.type(logo.contentType).send(logo.bytes);
    });
  }
  // The pages name the logo as their icon; browsers that ask anyway get no 404 in the logs.
  router.get('/favicon.ico', (_req, res) => {
    if (assets.logoSrc) res.redirect(302, assets.logoSrc);
    else res.set('Cache-Control', cache).status(204).end();
  });
  return { assets, router };
}

/** The support contact as a link when it is an email address, a phone number or a web page. */
export function supportLink(contact: string | undefined): { text: string; href: string | null } | null {
  if (!contact) return null;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact)) return { text: contact, href: `mailto:${contact}` };
  if (/^https:\/\/\S+$/.test(contact) && URL.canParse(contact)) return { text: contact, href: new URL(contact).href };
  if (/^\+?[\d\s().-]{6,20}$/.test(contact)) return { text: contact, href: `tel:${contact.replace(/[^\d+]/g, '')}` };
  return { text: contact, href: null };
}
