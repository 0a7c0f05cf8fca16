import { randomBytes, type X509Certificate } from 'node:crypto';
import express, { type Response, type Router } from 'express';
import { escapeHtml } from './simulator-page.js';
import {
  heldClaims,
  matchCredential,
  presentation,
  type CredentialMatch,
  type HeldCredential,
} from './wallet-presentation.js';
import { errorDescription, exchange, openRequest, RequestRefused, type VerifiedRequest } from './wallet-request.js';

/** Where the simulator serves the wallet: the demo's `walletUrl`. */
export const DEMO_WALLET_PATH = '/wallet';

/** How long the wallet's page may stay open before Share or Refuse (the hook's request lives 5 minutes). */
const PENDING_MS = 5 * 60_000;
const MAX_PENDING = 100;

interface Pending {
  request: VerifiedRequest;
  match: CredentialMatch | undefined;
  expiresAt: number;
}

/**
 * A web wallet for the demo (OpenID4VP 1.0, same device): it holds an SD-JWT VC and an mDL, opens
 * the hook's wallet link, shows who asks and which claims (an mdoc's element identifiers), and on Share posts a presentation of just those
 * claims to the response URI (`direct_post`), on Refuse `access_denied`, then sends the browser
 * where the hook answers. What it read of a request waits in memory under an unguessable id that
 * only its page carries, once.
 */
export function demoWallet(deps: {
  page: (title: string, body: string) => string;
  credentials: readonly HeldCredential[];
  hookOrigin: string;
  trustedVerifiers: readonly X509Certificate[];
  now: () => Date;
}): Router {
  const router = express.Router();
  const pending = new Map<string, Pending>();
  const show = (res: Response, status: number, body: string) =>
    res
      .status(status)
      .type('html')
      .send(deps.page('Demo wallet', `<h1>Demo wallet</h1>${body}`));

  router.get(DEMO_WALLET_PATH, async (req, res) => {
    const link = new URL(req.originalUrl, 'http://wallet.invalid').searchParams;
    if (!link.has('request_uri')) {
      show(res, 200, heldPage(deps.credentials));
      return;
    }
    let request: VerifiedRequest;
    try {
      request = await openRequest(link, {
        hookOrigin: deps.hookOrigin,
        trustedVerifiers: deps.trustedVerifiers,
        now: deps.now(),
      });
    } catch (error) {
      if (!(error instanceof RequestRefused)) throw error;
      show(res, 422, `<p class="bad" role="alert">${escapeHtml(error.message)}</p><p>Nothing was shared.</p>`);
      return;
    }
    const now = deps.now().getTime();
    for (const [id, old] of pending) if (old.expiresAt < now || pending.size >= MAX_PENDING) pending.delete(id);
    const id = randomBytes(32).toString('base64url');
    const match = matchCredential(request.query, deps.credentials);
    pending.set(id, { request, match, expiresAt: now + PENDING_MS });
    show(res, 200, requestPage(id, request, match));
  });

  router.post(DEMO_WALLET_PATH, express.urlencoded({ extended: false, limit: '1kb' }), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    const id = typeof form.request === 'string' ? form.request : '';
    const found = pending.get(id);
    pending.delete(id);
    if (!found || found.expiresAt < deps.now().getTime()) {
      show(
        res,
        400,
        '<p class="bad" role="alert">This request was answered already, or has expired. Open the wallet again from the hook’s page.</p>',
      );
      return;
    }
    const { request, match } = found;
    const share = form.decision === 'share' && match !== undefined;
    const answer: Record<string, string> = share
      ? { vp_token: await presentation(match, request, deps.now()), state: request.state }
      : { error: 'access_denied', error_description: 'The holder did not share the credential.', state: request.state };
    const posted = await exchange(request.responseUri, { method: 'POST', body: new URLSearchParams(answer) });
    if (posted === undefined) {
      show(res, 502, '<p class="bad" role="alert">The verifier could not be reached: nothing was shared.</p>');
      return;
    }
    if (posted.status !== 200) {
      show(
        res,
        502,
        `<p class="bad" role="alert">The verifier did not take the answer (${posted.status}: ${escapeHtml(errorDescription(posted.body))}).</p>`,
      );
      return;
    }
    // Back in the journey: only on the verifier's own origin, as the answer names it.
    const next = redirectUri(posted.body, request.responseUri);
    if (next === undefined) {
      show(
        res,
        200,
        `<p role="status">${share ? 'Shared' : 'Refused'}. Go back to the page that asked: it moves on by itself.</p>`,
      );
      return;
    }
    res.redirect(303, next);
  });

  return router;
}

function redirectUri(body: string, responseUri: string): string | undefined {
  try {
    const target = new URL(String((JSON.parse(body) as { redirect_uri?: unknown }).redirect_uri));
    return target.origin === new URL(responseUri).origin ? target.href : undefined;
  } catch {
    return undefined;
  }
}

const label = (name: string): string => {
  const words = name.replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

const display = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** An SD-JWT claim by its name in words; an mdoc element by its identifier, as the query names it. */
function claimList(claims: ReadonlyArray<{ path: string; value: unknown }>, held: HeldCredential): string {
  const name = (path: string) =>
    held.format === 'mso_mdoc' ? `<code>${escapeHtml(path)}</code>` : escapeHtml(label(path));
  return `<dl class="claims">${claims.map((c) => `<dt>${name(c.path)}</dt><dd>${escapeHtml(display(c.value))}</dd>`).join('')}</dl>`;
}

/** "your driving licence (mDL)": a title within a sentence. */
const inSentence = (title: string): string => title.charAt(0).toLowerCase() + title.slice(1);

/** The wallet's contents, for someone who opens it without a request. */
function heldPage(credentials: readonly HeldCredential[]): string {
  const each = credentials.map((credential) => {
    const held = heldClaims(credential);
    return `<h2>${escapeHtml(credential.title)}</h2><p>Issued by <code>${escapeHtml(held.issuer)}</code>, type <code>${escapeHtml(held.type)}</code>, bound to a key this wallet keeps.</p>
${claimList(held.disclosable, credential)}`;
  });
  return `<p>This wallet holds ${credentials.length} credentials, for the demo’s “present a licence” steps.</p>
${each.join('\n')}<p>Start an issuance on <a href="/">the start page</a> with these steps; the hook’s “Open my wallet” link brings you back here with its request.</p>`;
}

function requestPage(id: string, request: VerifiedRequest, match: CredentialMatch | undefined): string {
  const who =
    request.checkedBy === 'certificate'
      ? `The request is signed for <code>${escapeHtml(request.verifierHost)}</code> with a certificate this wallet trusts.`
      : `The request is unsigned (<code>redirect_uri:</code>): all this wallet knows is that the verifier runs on this machine (<code>${escapeHtml(request.verifierHost)}</code>).`;
  const form = `<form method="post" action="/wallet"><input type="hidden" name="request" value="${escapeHtml(id)}">
<p class="actions">${match ? '<button type="submit" name="decision" value="share">Share</button> ' : ''}<button type="submit" name="decision" value="refuse">Refuse</button></p></form>`;
  if (!match) {
    return `<h2>${escapeHtml(request.verifierName)} asks for a credential</h2><p>${who}</p>
<p class="bad" role="alert">This wallet holds no credential that answers the request. Refuse to tell the verifier.</p>${form}`;
  }
  const title = escapeHtml(inSentence(match.held.title));
  return `<h2>${escapeHtml(request.verifierName)} asks to see your ${title}</h2><p>${who}</p>
<p>If you share, it sees only these claims:</p>${claimList(match.shown, match.held)}
<p>The other claims of your ${title} stay in this wallet.</p>${form}`;
}
