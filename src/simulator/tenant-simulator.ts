import express, { type Express } from 'express';
import type { ManagementApi } from './management-api.js';
import { mintSessionToken, readReturnToken, type ReturnOutcome, type TenantIdentity } from './tenant-tokens.js';

/** Where the simulated tenant expects the user back (the real path is opaque to the hook). */
export const RETURN_PATH = '/v1/oauth/authorize/interaction-hook/return';

const SAMPLE_CLAIMS = { given_name: 'Aroha', family_name: 'Example', email: 'aroha@example.com' };

export interface Simulator {
  app: Express;
  identity: TenantIdentity;
  /** Outcomes received at the return URL, newest last. */
  outcomes: Array<ReturnOutcome & { claimsSent: Record<string, unknown> }>;
}

/**
 * A local stand-in for a MATTR VII tenant: a start page that sends the browser to the hook with a
 * session token, and the return URL that checks what the hook sends back and shows the outcome.
 * Given `management`, it also serves the auth server and the configuration API.
 */
export function createSimulator(identity: TenantIdentity, options: { now?: () => Date; management?: ManagementApi } = {}): Simulator {
  const now = options.now ?? (() => new Date());
  const pending = new Map<string, Record<string, unknown>>();
  const outcomes: Simulator['outcomes'] = [];
  const app = express();
  app.disable('x-powered-by');
  if (options.management) app.use(options.management.router);
  app.use((_req, res, next) => {
    // form-action also governs the redirect that follows a submit, so the hook's origin is listed.
    res.set('Content-Security-Policy', `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${new URL(identity.hookUrl).origin}`);
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.get('/', (_req, res) => {
    res.type('html').send(startPage(identity, JSON.stringify(SAMPLE_CLAIMS, null, 2)));
  });

  app.post('/start', express.urlencoded({ extended: false, limit: '32kb' }), async (req, res) => {
    const field = (req.body as { claims?: unknown } | undefined)?.claims;
    const text = typeof field === 'string' ? field : '{}';
    let claims: unknown;
    try {
      claims = JSON.parse(text);
    } catch {
      claims = undefined;
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
      res
        .status(422)
        .type('html')
        .send(startPage(identity, text, 'The claims must be a JSON object, e.g. {"email": "a@b.c"}.'));
      return;
    }
    const { token, state } = await mintSessionToken(identity, { claims: claims as Record<string, unknown>, now: now() });
    pending.set(state, claims as Record<string, unknown>);
    const target = new URL(identity.hookUrl);
    target.searchParams.set('session_token', token);
    res.redirect(303, target.toString());
  });

  app.get(RETURN_PATH, async (req, res) => {
    const token = req.query.session_token;
    if (typeof token !== 'string') {
      res.status(400).type('html').send(outcomePage('No session_token came back.', null));
      return;
    }
    let outcome: ReturnOutcome;
    try {
      outcome = await readReturnToken(identity, token, now());
    } catch (error) {
      res
        .status(400)
        .type('html')
        .send(outcomePage(`The returned token was refused: ${(error as Error).message}`, null));
      return;
    }
    const claimsSent = pending.get(outcome.state);
    if (!claimsSent) {
      res.status(400).type('html').send(outcomePage('The returned state is not one this tenant sent, or it was used already.', null));
      return;
    }
    pending.delete(outcome.state);
    outcomes.push({ ...outcome, claimsSent });
    res.type('html').send(outcomePage(null, { ...outcome, claimsSent }));
  });

  return { app, identity, outcomes };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shell(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · tenant simulator</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:0 auto;padding:1rem}textarea{width:100%;font:0.9rem monospace}
button{font:inherit;padding:.6rem 1.2rem}pre{background:#f3f3f3;padding:.75rem;overflow:auto}.bad{color:#b3261e}</style></head>
<body><p><small>MATTR VII tenant simulator · ${escapeHtml('local only')}</small></p>${body}</body></html>`;
}

function startPage(identity: TenantIdentity, claims: string, error?: string): string {
  return shell(
    'Start an issuance',
    `<h1>Start an issuance</h1>
<p>This simulates a wallet user who has just signed in at the issuer. The tenant
(<code>${escapeHtml(identity.tenantUrl)}</code>) will send the browser to the interaction hook at
<code>${escapeHtml(identity.hookUrl)}</code> with a signed session token carrying these claims.</p>
${error ? `<p class="bad" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/start"><label for="claims">Claims (JSON)</label>
<textarea id="claims" name="claims" rows="8">${escapeHtml(claims)}</textarea>
<p><button type="submit">Start the interaction hook</button></p></form>`,
  );
}

function outcomePage(error: string | null, outcome: (ReturnOutcome & { claimsSent: Record<string, unknown> }) | null): string {
  if (!outcome) return shell('Refused', `<h1 class="bad">Refused</h1><p>${escapeHtml(error ?? '')}</p><p><a href="/">Start again</a></p>`);
  if (outcome.kind === 'failure') {
    return shell(
      'Issuance failed',
      `<h1 class="bad">Issuance failed</h1><p>The hook ended the issuance with this error:</p><pre>${escapeHtml(outcome.message)}</pre>
<p>State <code>${escapeHtml(outcome.state)}</code> matched. <a href="/">Start again</a></p>`,
    );
  }
  return shell(
    'Credential would be issued',
    `<h1>Credential would be issued</h1><p>The hook's token was verified (signature, issuer, audience, state, ${outcome.lifetimeSeconds} s lifetime).</p>
<h2>Claims the hook added</h2><pre>${escapeHtml(JSON.stringify(outcome.claims, null, 2))}</pre>
<h2>Claims available to the credential</h2><pre>${escapeHtml(JSON.stringify({ ...outcome.claimsSent, ...outcome.claims }, null, 2))}</pre>
<p>claimsToPersist: <code>${escapeHtml(JSON.stringify(outcome.claimsToPersist))}</code>. <a href="/">Start again</a></p>`,
  );
}
