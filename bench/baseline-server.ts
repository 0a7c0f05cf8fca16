import express from 'express';
import { decodeHookSecret } from '../src/mattr/hook-secret.js';
import { processEnvironment } from '../src/config/load-configuration.js';
import { returnUrl, signCompletion, verifyArrival } from '../src/mattr/session-token.js';

/**
 * The benchmark's yardstick: a bare Express route that verifies one arriving token and signs one
 * reply — the least any hook must do per journey. The hook's figure is reported as a ratio to this,
 * which holds better than absolute figures on a machine shared with other work.
 */
const env = processEnvironment();
const key = decodeHookSecret(env.INTERACTION_HOOK_SECRET ?? '');
if (!key || !env.HOOK_URL || !env.MATTR_TENANT_URL)
  throw new Error('HOOK_URL, MATTR_TENANT_URL and INTERACTION_HOOK_SECRET are required');
const hookUrl = env.HOOK_URL;
const tenantUrl = env.MATTR_TENANT_URL;
const origins = new Set([new URL(tenantUrl).origin]);

const app = express();
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
    res.status(401).send(result.reason);
    return;
  }
  const token = await signCompletion(
    { key, hookUrl, tenantUrl, now: new Date() },
    { state: result.arrival.state, claims: {}, claimsToPersist: [] },
  );
  res.redirect(303, returnUrl(result.arrival.redirectUrl, token));
});

const server = app.listen(Number(env.PORT ?? 0), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
