import type { X509Certificate } from 'node:crypto';
import express, { type Express, type Response } from 'express';
import { DEMO_AUTHENTICATOR_PATH, demoAuthenticator } from './demo-authenticator.js';
import { DEMO_WALLET_PATH, demoWallet } from './demo-wallet.js';
import type { HeldCredential } from './wallet-presentation.js';
import type { ManagementApi } from './management-api.js';
import { escapeHtml, simulatorPage, simulatorStylesheet } from './simulator-page.js';
import { mintSessionToken, readReturnToken, type ReturnOutcome, type TenantIdentity } from './tenant-tokens.js';

/** Where the simulated tenant expects the user back (the real path is opaque to the hook). */
export const RETURN_PATH = '/v1/oauth/authorize/interaction-hook/return';

/** The person the start page signs in: the demo wallet's licence is theirs. */
export const SAMPLE_CLAIMS = { given_name: 'Aroha', family_name: 'Example', email: 'aroha@example.com' };

/** The demo's choice of steps file, offered on the start page (the hook restarts with the one picked). */
export interface DemoSteps {
  choices: ReadonlyArray<{ label: string; file: string }>;
  current(): string;
  choose(file: string): Promise<void>;
}

/** What the demo wallet holds and whom it believes (given by the demo, which issued the credentials). */
export interface DemoWalletContents {
  credentials: readonly HeldCredential[];
  trustedVerifiers: readonly X509Certificate[];
}

/** Whom the token names (`sub`): a passkey, and the ledger, keep to one subject across journeys. */
const SAMPLE_SUBJECT = 'demo-user-1';

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
export function createSimulator(
  identity: TenantIdentity,
  options: { now?: () => Date; management?: ManagementApi; demoSteps?: DemoSteps; wallet?: DemoWalletContents } = {},
): Simulator {
  const now = options.now ?? (() => new Date());
  const pending = new Map<string, Record<string, unknown>>();
  /** States whose answer came back already: a second return of one is told apart from a stranger's. */
  const returned = new Set<string>();
  const outcomes: Simulator['outcomes'] = [];
  const app = express();
  app.disable('x-powered-by');
  if (options.management) app.use(options.management.router);
  app.use((_req, res, next) => {
    // form-action also governs the redirect that follows a submit, so the hook's origin is listed.
    res.set(
      'Content-Security-Policy',
      `default-src 'none'; style-src 'self'; form-action 'self' ${new URL(identity.hookUrl).origin}`,
    );
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.use(simulatorStylesheet());
  app.use(demoAuthenticator(simulatorPage, now));
  if (options.wallet)
    app.use(demoWallet({ page: simulatorPage, hookOrigin: new URL(identity.hookUrl).origin, now, ...options.wallet }));

  const page = (claims: string, subject: string, error?: string) =>
    startPage(identity, { claims, subject, error, steps: options.demoSteps, wallet: options.wallet !== undefined });

  app.get('/', (_req, res) => {
    res.type('html').send(page(JSON.stringify(SAMPLE_CLAIMS, null, 2), SAMPLE_SUBJECT));
  });

  /**
   * Makes the hook run the steps file the form picked (an index into the offered files: a path
   * never comes from the browser), if it does not already. False when it answered with a page.
   */
  async function runPickedSteps(picked: unknown, res: Response, claims: string, subject: string): Promise<boolean> {
    const steps = options.demoSteps;
    if (!steps || picked === undefined) return true;
    const index = Number(picked);
    const choice = Number.isInteger(index) ? steps.choices[index] : undefined;
    if (!choice) {
      res
        .status(422)
        .type('html')
        .send(page(claims, subject, 'Choose one of the steps files offered.'));
      return false;
    }
    if (choice.file === steps.current()) return true;
    try {
      await steps.choose(choice.file);
      return true;
    } catch (error) {
      res
        .status(500)
        .type('html')
        .send(page(claims, subject, `The hook could not start with ${choice.label}: ${(error as Error).message}`));
      return false;
    }
  }

  // "Use these steps": the same form as Start, so what was typed stays.
  app.post('/demo/steps', express.urlencoded({ extended: false, limit: '32kb' }), async (req, res) => {
    const { text, subject, picked } = startForm(req.body);
    if (picked === undefined) {
      res
        .status(422)
        .type('html')
        .send(page(text, subject, 'Choose one of the steps files offered.'));
      return;
    }
    if (await runPickedSteps(picked, res, text, subject)) res.type('html').send(page(text, subject));
  });

  app.post('/start', express.urlencoded({ extended: false, limit: '32kb' }), async (req, res) => {
    const { text, subject, picked } = startForm(req.body);
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
        .send(page(text, subject, 'The claims must be a JSON object, e.g. {"email": "a@b.c"}.'));
      return;
    }
    // Start runs the steps the page shows as chosen, whether or not "Use these steps" was pressed.
    if (!(await runPickedSteps(picked, res, text, subject))) return;
    const { token, state } = await mintSessionToken(identity, {
      claims: claims as Record<string, unknown>,
      now: now(),
      ...(subject === '' ? {} : { payload: { sub: subject } }),
    });
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
      res
        .status(400)
        .type('html')
        .send(
          returned.has(outcome.state)
            ? seenAgainPage(outcome.state)
            : outcomePage('The returned state is not one this tenant sent.', null),
        );
      return;
    }
    pending.delete(outcome.state);
    returned.add(outcome.state);
    outcomes.push({ ...outcome, claimsSent });
    res.type('html').send(outcomePage(null, { ...outcome, claimsSent }));
  });

  return { app, identity, outcomes };
}

/** The start form as posted: the claims text, the subject, and the steps choice (an index) if any. */
function startForm(body: unknown): { text: string; subject: string; picked: string | undefined } {
  const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    text: typeof form.claims === 'string' ? form.claims : '{}',
    subject: typeof form.subject === 'string' ? form.subject.trim().slice(0, 200) : '',
    picked: typeof form.steps === 'string' ? form.steps : undefined,
  };
}

function startPage(
  identity: TenantIdentity,
  form: { claims: string; subject: string; error?: string; steps?: DemoSteps; wallet: boolean },
): string {
  const { steps } = form;
  const current = steps?.choices.find((c) => c.file === steps.current());
  // One form: Start runs the steps chosen here, and "Use these steps" only switches to them.
  const picker = steps
    ? `<p>The hook runs now: <strong>${escapeHtml(current?.label ?? steps.current())}</strong> (<code>${escapeHtml(steps.current())}</code>).</p>
<label for="steps">Steps the hook runs</label>
<select id="steps" name="steps">${steps.choices.map((c, i) => `<option value="${i}"${c.file === steps.current() ? ' selected' : ''}>${escapeHtml(c.label)}</option>`).join('')}</select>
<button type="submit" formaction="/demo/steps">Use these steps</button>`
    : '';
  return simulatorPage(
    'Start an issuance',
    `<h1>Start an issuance</h1>
<p>This simulates a wallet user who has just signed in at the issuer. The tenant
(<code>${escapeHtml(identity.tenantUrl)}</code>) will send the browser to the interaction hook at
<code>${escapeHtml(identity.hookUrl)}</code> with a signed session token carrying these claims.</p>
${form.error !== undefined ? `<p class="bad" role="alert">${escapeHtml(form.error)}</p>` : ''}<form method="post" action="/start">${picker}
<label for="subject">Subject (<code>sub</code>)</label>
<input id="subject" name="subject" value="${escapeHtml(form.subject)}">
<label for="claims">Claims (JSON)</label>
<textarea id="claims" name="claims" rows="8">${escapeHtml(form.claims)}</textarea>
<p><button type="submit">Start the interaction hook</button></p></form>
<p>No phone at hand for an authenticator-app step? The <a href="${DEMO_AUTHENTICATOR_PATH}">demo authenticator</a> shows the codes for a key.</p>${
      form.wallet
        ? `\n<p>For the steps that present a licence, the <a href="${DEMO_WALLET_PATH}">demo wallet</a> holds one for this person; the hook’s “Open my wallet” link opens it.</p>`
        : ''
    }`,
  );
}

/** A second return for an issuance that has ended: what a reload or Back on the outcome page sends. */
function seenAgainPage(state: string): string {
  return simulatorPage(
    'Seen again',
    `<h1>Seen again</h1><p>This tenant already took the hook’s answer for this issuance (state <code>${escapeHtml(state)}</code>) and ignores this one: each issuance ends once, as at a real tenant. A reload or Back on the outcome page brings you here.</p>
<p><a href="/">Start again</a></p>`,
  );
}

function outcomePage(
  error: string | null,
  outcome: (ReturnOutcome & { claimsSent: Record<string, unknown> }) | null,
): string {
  if (!outcome)
    return simulatorPage(
      'Refused',
      `<h1 class="bad">Refused</h1><p>${escapeHtml(error ?? '')}</p><p><a href="/">Start again</a></p>`,
    );
  if (outcome.kind === 'failure') {
    return simulatorPage(
      'Issuance failed',
      `<h1 class="bad">Issuance failed</h1><p>The hook ended the issuance with this error:</p><blockquote class="message">${escapeHtml(outcome.message)}</blockquote>
<p>State <code>${escapeHtml(outcome.state)}</code> matched. <a href="/">Start again</a></p>`,
    );
  }
  return simulatorPage(
    'Credential would be issued',
    `<h1>Credential would be issued</h1><p>The hook's token was verified (signature, issuer, audience, state, ${outcome.lifetimeSeconds} s lifetime).</p>
<h2>Claims the hook added</h2><pre>${escapeHtml(JSON.stringify(outcome.claims, null, 2))}</pre>
<h2>Claims available to the credential</h2><pre>${escapeHtml(JSON.stringify({ ...outcome.claimsSent, ...outcome.claims }, null, 2))}</pre>
<p>claimsToPersist: <code>${escapeHtml(JSON.stringify(outcome.claimsToPersist))}</code>. <a href="/">Start again</a></p>`,
  );
}
