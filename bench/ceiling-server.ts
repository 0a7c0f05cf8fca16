import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type Request } from 'express';
import session from 'express-session';
import { decodeHookSecret } from '../src/mattr/hook-secret.js';
import { processEnvironment } from '../src/config/load-configuration.js';
import { returnUrl, signCompletion, verifyArrival } from '../src/mattr/session-token.js';

/**
 * The benchmark's ceiling: the three requests of a journey on bare Express — verify the arriving
 * token, show a page with a form, check its CSRF field and sign the reply — keeping the interaction
 * in memory: nothing durable, no logs, no headers, no templates, no metrics. No hook built on
 * Express can serve journeys faster than this on the same machine. With CEILING_SESSIONS=1 the
 * interaction lives in express-session (its memory store), as the hook keeps it. One process: with
 * several, a journey's requests would land where its interaction is not.
 */
const env = processEnvironment();
serve();

interface Kept {
  state: string;
  redirectUrl: string;
  csrf: string;
  /** Binds the interaction to the browser when there are no sessions. */
  browser: string;
}

/** The session as the ceiling uses it: interactions by id. */
const keptIn = (req: Request) => req.session as unknown as { kept?: Record<string, Kept> };

function serve(): void {
  const key = decodeHookSecret(env.INTERACTION_HOOK_SECRET ?? '');
  if (!key || !env.HOOK_URL || !env.MATTR_TENANT_URL)
    throw new Error('HOOK_URL, MATTR_TENANT_URL and INTERACTION_HOOK_SECRET are required');
  const hookUrl = env.HOOK_URL;
  const tenantUrl = env.MATTR_TENANT_URL;
  const origins = new Set([new URL(tenantUrl).origin]);
  const withSessions = env.CEILING_SESSIONS === '1';
  const inMemory = new Map<string, Kept>();
  const random = () => randomBytes(16).toString('base64url');
  const same = (a: string, b: unknown) =>
    typeof b === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

  const find = (req: Request): Kept | undefined => {
    const id = String(req.params.id);
    if (withSessions) return keptIn(req).kept?.[id];
    const kept = inMemory.get(id);
    return kept && same(kept.browser, /(?:^|; )browser=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]) ? kept : undefined;
  };

  const app = express();
  if (withSessions) {
    app.use(
      session({
        secret: randomBytes(32).toString('hex'),
        resave: false,
        saveUninitialized: false,
        cookie: { httpOnly: true, sameSite: 'lax', maxAge: 1_800_000 },
      }),
    );
  }
  app.get('/callback', async (req, res) => {
    const result = await verifyArrival(req.query.session_token, {
      keys: [key],
      tenantUrl,
      hookUrl,
      allowedRedirectOrigins: origins,
      clockToleranceSeconds: 30,
      now: new Date(),
    });
    if (!result.ok) {
      res.status(401).end();
      return;
    }
    const id = random();
    const kept = {
      state: result.arrival.state,
      redirectUrl: result.arrival.redirectUrl,
      csrf: random(),
      browser: random(),
    };
    if (withSessions) {
      keptIn(req).kept = { ...keptIn(req).kept, [id]: kept };
    } else {
      inMemory.set(id, kept);
      res.cookie('browser', kept.browser, { httpOnly: true, sameSite: 'lax' });
    }
    res.redirect(303, `/interaction/${id}`);
  });
  app.get('/interaction/:id', (req, res) => {
    const kept = find(req);
    if (!kept) {
      res.status(404).end();
      return;
    }
    res
      .type('html')
      .send(
        `<!doctype html><title>Terms</title><form method="post"><input type="hidden" name="_csrf" value="${kept.csrf}"><button name="decision" value="accept">Accept</button></form>`,
      );
  });
  app.post('/interaction/:id', express.urlencoded({ extended: false }), async (req, res) => {
    const kept = find(req);
    if (!kept || !same(kept.csrf, (req.body as Record<string, unknown>)._csrf)) {
      res.status(403).end();
      return;
    }
    const id = req.params.id;
    // Session data must survive JSON, so it is a plain record and not a Map.
    if (withSessions) delete keptIn(req).kept?.[id];
    else inMemory.delete(id);
    const token = await signCompletion(
      { key, hookUrl, tenantUrl, now: new Date() },
      { state: kept.state, claims: {}, claimsToPersist: [] },
    );
    res.redirect(303, returnUrl(kept.redirectUrl, token));
  });
  const server = app.listen(Number(env.PORT ?? 0), '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
