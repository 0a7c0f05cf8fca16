import { Router, type Request } from 'express';
import type { Store } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Storage } from '../storage/ports.js';
import { carriesCommit } from '../storage/session-commit.js';
import type { HookKeys } from '../mattr/hook-keys.js';
import { callbackPath, isHttps } from '../mattr/hook-url.js';
import { verifyArrival, type ArrivalResult } from '../mattr/session-token.js';
import { arrivalRateLimit } from '../web/arrival-rate-limit.js';
import { csrfToken } from '../web/csrf.js';
import { hookError } from '../web/error-codes.js';
import { HookError } from '../web/hook-error.js';
import { noStore } from '../web/security-headers.js';
import { carriesStoredSession, regenerateSession } from '../web/sessions.js';
import { admitInteraction, liveInteractions, startInteraction } from './interaction.js';
import type { JourneyMetrics } from './journey-metrics.js';
import type { JourneyRunner } from './journey-runner.js';
import type { JourneySettings } from './journey-settings.js';
import { subjectOf } from './ledger-entry.js';

export interface ArrivalDeps {
  settings: JourneySettings;
  keys: HookKeys;
  /** Asks the tenant for its secret again (management credentials only); resolves, never rejects. */
  refreshKeys?: () => Promise<unknown>;
  runner: JourneyRunner;
  storage: Storage;
  now: () => Date;
  logger: Logger;
  metrics: JourneyMetrics;
  arrivalStore?: Store;
}

/**
 * The user arrives from the tenant: `GET <callback>?session_token=…`, verified, claimed once, moved
 * to a token-free URL. Added to `router` (the app gives the journey one router for all its routes).
 */
export function arrivalRoutes(deps: ArrivalDeps, router: Router = Router()): Router {
  const { settings, keys, now, runner, metrics, storage } = deps;
  const path = callbackPath(settings.hookUrl);
  const https = isHttps(settings.hookUrl);

  // A link checker or a browser's prefetch asks with HEAD: it is answered, and nothing is spent.
  router.head(path, noStore, (_req, res) => {
    res.status(200).type('html').end();
  });

  router.get(
    path,
    noStore,
    arrivalRateLimit(settings.arrivalRateLimit, deps.logger, deps.arrivalStore),
    async (req, res) => {
      if (https && !reachedOverHttps(req)) {
        // Without X-Forwarded-Proto the session cookie would not be set (it is Secure): refused
        // before the token is spent, so the link still works once the proxy is fixed.
        req.log.error(
          { code: 'proxy_not_https' },
          'HOOK_URL is https but this request did not come through the TLS proxy as https: the proxy must send X-Forwarded-Proto: https',
        );
        throw hookError('proxy_not_https');
      }
      const result = await verifiedArrival(req.query.session_token);
      if (!result.ok) throw hookError(result.reason);
      const { arrival } = result;
      // Tokens are accepted until exp + tolerance, so the claim is kept at least as long.
      const keepUntil = new Date(arrival.expiresAt.getTime() + settings.clockToleranceSeconds * 1000);
      const interaction = startInteraction(
        { ...arrival, subject: subjectOf(arrival, settings.ledger.subjectClaim) },
        now(),
        settings.interactionTimeoutSeconds,
      );
      const claim = { key: `token:${arrival.replayKey}`, expiresAt: keepUntil };
      // A browser that came with a session has its journeys in it: a used link must leave them as
      // they are, so its token is claimed before that session is replaced. Any other arrival (the
      // wallet's browser, nearly always) claims it in the same commit as its new session: one
      // durable round for the whole arrival.
      const claimFirst = carriesStoredSession(req);
      if (claimFirst && !(await claimOnce(req, claim))) throw hookError('token_replayed');
      // The journeys this browser has under way go on beside the new one (each page says whose it
      // is): an arrival sent to this browser by someone else must not end them.
      await regenerateSession(req, res, {
        mustSave: carriesCommit,
        carry: (old) => ({ interactions: liveInteractions(old.interactions, now()), csrfToken: old.csrfToken }),
      });
      req.session.interactions = admitInteraction(req.session.interactions, interaction, now());
      // The step page's CSRF token is made now, in the save that has to happen anyway: rendering the
      // page then changes nothing, and costs no durable write of its own.
      csrfToken(req);
      req.log.info({ interaction: interaction.id, event: 'arrived' }, 'journey started');
      try {
        await runner.run(
          req,
          res,
          interaction,
          { kind: 'arrived' },
          { claim: claimFirst ? undefined : claim, newSession: true },
        );
      } catch (error) {
        // A new session for a used link is never stored: no cookie for it either, or it would
        // replace the one of the tab that won.
        if (error instanceof HookError && error.code === 'token_replayed') {
          res.removeHeader('Set-Cookie');
          await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
        }
        throw error;
      }
      metrics.journeyStarted();
    },
  );

  /**
   * Claims a token on its own; a storage failure leaves it unclaimed, so a reload can still use
   * it. The token is spent only while the whole storage answers (the sessions may live elsewhere
   * than the claims): an outage then costs the user a retry, not their single-use link.
   */
  async function claimOnce(req: Request, claim: { key: string; expiresAt: Date }): Promise<boolean> {
    try {
      await storage.ping();
      return await storage.tokens.claimOnce(claim.key, claim.expiresAt);
    } catch (error) {
      req.log.error({ err: error }, 'session token could not be claimed');
      throw hookError('storage_unavailable', 'arrivalUnavailable');
    }
  }

  /**
   * Verifies with the keys held now. A signature no key matches may mean the tenant changed its
   * secret: the secret is asked for once (shared and rate-limited by `refreshKeys`), and when a
   * new key came in meanwhile the token is tried again, so the user never sees the change.
   */
  async function verifiedArrival(token: unknown): Promise<ArrivalResult> {
    const held = keys.generation;
    const first = await verifyWithHeldKeys(token);
    if (first.ok || first.reason !== 'token_bad_signature' || !deps.refreshKeys) return first;
    await deps.refreshKeys();
    return keys.generation === held ? first : verifyWithHeldKeys(token);
  }

  function verifyWithHeldKeys(token: unknown): Promise<ArrivalResult> {
    const at = now();
    return verifyArrival(token, {
      keys: keys.verifyKeys(at),
      tenantUrl: settings.tenantUrl,
      hookUrl: settings.hookUrl,
      allowedRedirectOrigins: settings.redirectOrigins,
      clockToleranceSeconds: settings.clockToleranceSeconds,
      now: at,
    });
  }

  return router;
}

/** As express-session decides whether it may set a Secure cookie (it trusts the proxy's header). */
function reachedOverHttps(req: Request): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted === true) return true;
  const header = req.get('x-forwarded-proto') ?? '';
  return header.split(',')[0]?.trim().toLowerCase() === 'https';
}
