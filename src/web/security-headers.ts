import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Strict headers on every response: no inline scripts or styles, no framing, no referrer (the
 * arrival URL carries a token). Forms may post to ourselves and be redirected on to the tenant —
 * browsers apply `form-action` to that redirect too.
 */
export function securityHeaders(options: {
  redirectOrigins: ReadonlySet<string>;
  https: boolean;
  formTargets?: readonly string[];
}): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // A step's script may call its own actions (the passkey ceremony), and nothing else.
        connectSrc: ["'self'"],
        // …and on to where a step sends the user (an OpenID provider's sign-in).
        formAction: ["'self'", ...new Set([...options.redirectOrigins, ...(options.formTargets ?? [])])],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity: options.https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
}

/** Interaction pages change with every answer and may not be kept by any cache. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'no-store');
  next();
};
