import { createRequire } from 'node:module';
import path from 'node:path';
import { Router } from 'express';

/** Where pages load the WebAuthn browser library from: this hook, never a CDN (strict CSP). */
const WEBAUTHN_BROWSER_SCRIPT = '/vendor/simplewebauthn-browser.js';

/**
 * The library's single-file browser bundle, served from the installed package: a runtime
 * dependency, so it is there after `npm ci --omit=dev` and its version is the lockfile's, with no
 * copy in public/ to fall out of date. The package exports only its module entry, so the bundle
 * is found beside it.
 */
const BUNDLE = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')),
  '..',
  'dist',
  'bundle',
  'index.umd.min.js',
);

/** Mounted under `/static`, beside the project's own files: a page's request never meets it. */
export function vendorScripts(): Router {
  const router = Router();
  router.get(WEBAUTHN_BROWSER_SCRIPT, (_req, res, next) => {
    res.sendFile(BUNDLE, { maxAge: '1h', dotfiles: 'deny' }, (error?: Error) => {
      if (error) next(error);
    });
  });
  return router;
}
