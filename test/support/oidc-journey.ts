import { expect } from 'vitest';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { HookConfig } from '../../src/config/hook-config.js';
import { oidcStepType } from '../../src/interaction/steps/oidc/index.js';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { oidcStepSchema } from '../../src/interaction/steps/oidc/oidc-schema.js';
import { readReturnToken, type ReturnOutcome } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, HOOK_URL, TENANT_URL, type HookFixture } from './hook-fixture.js';
import { HttpBrowser } from './http-browser.js';

export const CLIENT_ID = 'interaction-hook';
export const CLIENT_SECRET = 'step-up-client-secret-for-tests-only';
export const REDIRECT_URI = `${new URL(HOOK_URL).origin}/interaction/return/oidc`;
export const STEP_ID = 'step-up';

/** A steps file with one oidc step (its entry merged over a typical one), loaded as the hook loads it. */
export function oidcHookConfig(entry: Record<string, unknown>): HookConfig {
  const parsed = oidcStepSchema.parse({
    type: 'oidc',
    id: STEP_ID,
    clientId: CLIENT_ID,
    clientSecretVariable: 'STEP_UP_CLIENT_SECRET',
    scope: 'openid email',
    ...entry,
  });
  const loaded = oidcStepType.load(parsed, {
    dir: '.',
    where: 'steps.0',
    id: STEP_ID,
    env: { STEP_UP_CLIENT_SECRET: CLIENT_SECRET },
  });
  if (!loaded.ok) throw new Error(loaded.problems.join('; '));
  return {
    issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined },
    steps: [configureStep(oidcStepType, loaded.config)],
  };
}

/**
 * One user's way through the hook and the provider: the hook through its supertest agent, the
 * provider over real HTTP with a cookie jar of its own. Every answer of the hook is checked for
 * what no input may cause: a 5xx (but the 503 of a provider away), or a redirect anywhere but the
 * tenant, the provider or the hook itself.
 */
export class OidcJourney {
  readonly providerBrowser = new HttpBrowser();
  path = '';
  state = '';

  constructor(
    private readonly hook: HookFixture,
    private readonly providerOrigin: string,
    /** The hook's cookie jar; another journey's to go on in the same browser. */
    readonly browser: TestAgent = hook.browser(),
  ) {}

  /** Arrives with the tenant's token; the step's page is shown. */
  async arrive(claims: Record<string, unknown> = { email: 'ana@example.org' }): Promise<Response> {
    const { token, state } = await this.hook.mint({ claims });
    this.state = state;
    this.path = this.checked(await this.browser.get(`/callback?session_token=${token}`)).headers.location!;
    const page = this.checked(await this.browser.get(this.path));
    expect(page.status).toBe(200);
    return page;
  }

  /** Presses a button of the step's page; `signin` answers with the provider's authorization URL. */
  async press(decision: 'signin' | 'decline'): Promise<Response> {
    const page = this.checked(await this.browser.get(this.path));
    return this.checked(
      await this.browser
        .post(this.path)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), step: STEP_ID, decision }),
    );
  }

  async leave(): Promise<URL> {
    const res = await this.press('signin');
    expect(res.status).toBe(303);
    const url = new URL(res.headers.location!);
    expect(url.origin).toBe(this.providerOrigin);
    return url;
  }

  /** Signs in at the provider as `login`, following its redirects to the URL it sends the user back to. */
  atProvider(authorization: URL, login = 'ana@example.org'): Promise<URL> {
    return this.answerProvider(authorization, { login });
  }

  /** Presses Cancel at the provider's sign-in page instead. */
  cancelAtProvider(authorization: URL): Promise<URL> {
    return this.answerProvider(authorization, { login: '', cancel: 'yes' });
  }

  private async answerProvider(authorization: URL, form: Record<string, string>): Promise<URL> {
    let reply = await this.providerBrowser.get(authorization.origin, authorization.pathname + authorization.search);
    for (let hops = 0; hops < 10; hops++) {
      if (reply.location?.startsWith(REDIRECT_URI)) return new URL(reply.location);
      if (reply.status === 200) {
        const action = /<form method="post" action="([^"]+)"/.exec(reply.text)?.[1];
        if (!action) throw new Error(`the provider showed a page without a form: ${reply.text.slice(0, 200)}`);
        reply = await this.providerBrowser.post(authorization.origin, action, form);
        continue;
      }
      if (reply.status !== 302 && reply.status !== 303)
        throw new Error(`the provider answered ${reply.status}: ${reply.text.slice(0, 200)}`);
      reply = await this.providerBrowser.get(authorization.origin, reply.location!);
    }
    throw new Error('the provider never sent the user back');
  }

  /** Follows the provider's redirect back to the hook. */
  async back(url: URL | string, options: { away?: boolean } = {}): Promise<Response> {
    const target = typeof url === 'string' ? new URL(url, HOOK_URL) : url;
    return this.checked(await this.browser.get(target.pathname + target.search), options);
  }

  /** The whole dance: the button, the provider, the way back. */
  async signIn(login?: string): Promise<Response> {
    return this.back(await this.atProvider(await this.leave(), login));
  }

  async outcome(res: Response): Promise<ReturnOutcome> {
    expect(res.status).toBe(303);
    const location = new URL(res.headers.location!);
    expect(location.origin).toBe(TENANT_URL);
    return readReturnToken(
      this.hook.simulator.identity,
      location.searchParams.get('session_token')!,
      this.hook.clock.now(),
    );
  }

  private checked(res: Response, options: { away?: boolean } = {}): Response {
    if (options.away) expect(res.status).toBe(503);
    else expect(res.status, res.text.slice(0, 300)).toBeLessThan(500);
    const location = res.headers.location;
    if (location !== undefined && !location.startsWith('/'))
      expect([TENANT_URL, this.providerOrigin]).toContain(new URL(location).origin);
    return res;
  }
}

/** The ledger's decisions, in order. */
export async function decisions(
  hook: HookFixture,
): Promise<Array<{ step: string; decision: string; evidence: unknown }>> {
  const rows = [];
  for await (const row of hook.storage.ledger.decisions())
    rows.push({ step: row.step, decision: row.decision, evidence: row.evidence });
  return rows;
}
