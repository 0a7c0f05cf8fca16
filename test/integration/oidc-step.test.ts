import request, { type Response } from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OIDC_DECLINED_MESSAGE } from '../../src/interaction/steps/oidc/oidc-step.js';
import { startLocalProvider, type LocalProvider } from '../../src/simulator/openid-provider.js';
import { csrfFrom, hookFixture, type HookFixture } from '../support/hook-fixture.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  decisions,
  oidcHookConfig,
  OidcJourney,
  REDIRECT_URI,
  STEP_ID,
} from '../support/oidc-journey.js';

const STRONG = 'urn:example:loa:2';
const WEAK = 'urn:example:loa:1';

let provider: LocalProvider;
let hook: HookFixture;

beforeAll(async () => {
  provider = await startLocalProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
    acrValues: [STRONG, WEAK],
  });
});
afterAll(async () => {
  await provider?.close();
});
beforeEach(async () => {
  provider.signInWith({ acr: STRONG, amr: ['pwd', 'otp'] });
  hook = await hookFixture(
    {},
    oidcHookConfig({
      issuer: provider.issuer,
      acrValues: [STRONG],
      maxAge: 0,
      prompt: 'login',
      requireAcr: [STRONG],
      matchClaim: { session: 'email', idToken: 'email' },
      collect: { email_verified: 'step_up_email_verified' },
    }),
  );
});
afterEach(async () => {
  await hook.close();
});

const journey = () => new OidcJourney(hook, provider.issuer);

describe('the oidc step against a real OpenID provider', () => {
  it('sends the user to the provider with PKCE (S256), state, nonce and the configured request', async () => {
    const user = journey();
    const page = await user.arrive();
    expect(page.text).toContain('Sign in again');
    expect(page.text).toContain(`Continue to 127.0.0.1`);
    const url = await user.leave();
    const q = url.searchParams;
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('response_type')).toBe('code');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(q.get('state')).toMatch(/^[\w-]{32}$/);
    expect(q.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(Object.fromEntries(['scope', 'acr_values', 'max_age', 'prompt'].map((k) => [k, q.get(k)]))).toEqual({
      scope: 'openid email',
      acr_values: STRONG,
      max_age: '0',
      prompt: 'login',
    });
    // The secret never travels through the browser.
    expect(url.href).not.toContain(CLIENT_SECRET);
  });

  it('names the provider in the page’s language when providerName gives one per language', async () => {
    await hook.close();
    hook = await hookFixture(
      {},
      oidcHookConfig({ issuer: provider.issuer, providerName: { en: 'Example Login', fr: 'Connexion Exemple' } }),
    );
    const user = journey();
    expect((await user.arrive()).text).toContain('Continue to Example Login');
    expect((await user.browser.get(`${user.path}?lang=fr`)).status).toBe(303);
    const french = await user.browser.get(user.path);
    expect(french.text).toContain('Continuer vers Connexion Exemple');
    expect(french.text).not.toContain('Example Login');
  });

  it('lets the step page’s form lead to the provider, and nowhere else new: browsers apply form-action to the redirect', async () => {
    const page = await journey().arrive();
    const formAction = /form-action ([^;]+)/.exec(String(page.headers['content-security-policy']))?.[1]?.split(' ');
    expect(formAction).toEqual(expect.arrayContaining(["'self'", new URL(provider.issuer).origin]));
    expect(formAction).toHaveLength(3);
  });

  it('goes on after the sign-in: the collected claims reach the tenant and the ledger proves how and when', async () => {
    const user = journey();
    await user.arrive();
    const returned = await user.atProvider(await user.leave());
    const code = returned.searchParams.get('code')!;
    expect(code.length).toBeGreaterThan(20);
    expect(await user.outcome(await user.back(returned))).toMatchObject({
      kind: 'success',
      state: user.state,
      claims: { step_up_email_verified: true },
    });
    const [row, ...more] = await decisions(hook);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      step: STEP_ID,
      decision: 'accepted',
      evidence: {
        issuer: provider.issuer,
        acr: STRONG,
        amr: ['pwd', 'otp'],
        matched: 'email',
        collected: ['step_up_email_verified'],
      },
    });
    expect(Date.now() - Date.parse((row!.evidence as { authTime: string }).authTime)).toBeLessThan(60_000);
    const logs = hook.logs.join('');
    expect(logs).not.toContain(CLIENT_SECRET);
    expect(logs).not.toContain(code);
  });

  it('offers the step again when the user cancels at the provider, and a second try goes through', async () => {
    const user = journey();
    await user.arrive();
    const returnUrl = await user.cancelAtProvider(await user.leave());
    // Handled, the return is a 303 to the step's page (a reload repeats that GET, not the return).
    const handled = await user.back(returnUrl);
    expect(handled.status).toBe(303);
    expect(handled.headers.location).toBe(user.path);
    const cancelled = await user.browser.get(user.path);
    expect(cancelled.status).toBe(200);
    expect(cancelled.text).toContain('You cancelled the sign-in with 127.0.0.1');
    expect(cancelled.text).toContain('value="decline"');
    // The same return opened twice (a reload of it): it decides nothing more, it leads to the
    // step's page, and the journey goes on. Another browser with it is still refused.
    const twice = await user.back(returnUrl);
    expect(twice.status).toBe(303);
    expect(twice.headers.location).toBe(user.path);
    expect((await hook.browser().get(returnUrl.pathname + returnUrl.search)).status).toBe(400);
    expect((await user.browser.get(user.path)).text).not.toContain('You cancelled the sign-in');
    expect(await decisions(hook)).toEqual([]);
    expect(await user.outcome(await user.signIn())).toMatchObject({ kind: 'success' });
  });

  it('ends as declined, not failed, when the user declines on the page', async () => {
    const user = journey();
    await user.arrive();
    expect(await user.outcome(await user.press('decline'))).toMatchObject({
      kind: 'failure',
      message: OIDC_DECLINED_MESSAGE,
    });
    expect((await decisions(hook)).map((d) => d.decision)).toEqual(['declined']);
  });
});

describe('returns that do not prove the sign-in', () => {
  const failsWith = async (
    user: OidcJourney,
    res: Parameters<OidcJourney['outcome']>[0],
    words: string,
    reason?: string,
  ) => {
    const outcome = await user.outcome(res);
    expect(outcome).toMatchObject({ kind: 'failure', state: user.state });
    expect(outcome.kind === 'failure' && outcome.message).toContain(words);
    const rows = await decisions(hook);
    expect(rows.map((d) => [d.step, d.decision])).toEqual([[STEP_ID, 'failed']]);
    if (reason) expect(rows[0]!.evidence).toMatchObject({ reason });
  };

  it('answers a replayed successful return with a page, and no second decision', async () => {
    const user = journey();
    await user.arrive();
    const back = await user.atProvider(await user.leave());
    expect(await user.outcome(await user.back(back))).toMatchObject({ kind: 'success' });
    // The same browser opening it again (a reload): the journey's page, which says it is finished.
    const replay = await user.back(back);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe(user.path);
    expect((await user.browser.get(user.path)).text).toContain('You have finished here');
    expect((await decisions(hook)).map((d) => d.decision)).toEqual(['accepted']);
  });

  it('fails the journey when an authorization code is used a second time', async () => {
    const first = journey();
    await first.arrive();
    const used = await first.atProvider(await first.leave());
    expect(await first.outcome(await first.back(used))).toMatchObject({ kind: 'success' });
    // The same browser starts again; its new state is real, the code is the one already spent.
    const second = new OidcJourney(hook, provider.issuer, first.browser);
    await second.arrive();
    const fresh = await second.leave();
    used.searchParams.set('state', fresh.searchParams.get('state')!);
    const outcome = await second.outcome(await second.back(used));
    expect(outcome).toMatchObject({ kind: 'failure', state: second.state });
    expect(outcome.kind === 'failure' && outcome.message).toContain('refused the authorization code');
    expect((await decisions(hook)).map((d) => [d.decision, (d.evidence as { reason?: string }).reason])).toEqual([
      ['accepted', undefined],
      ['failed', 'code_refused'],
    ]);
  });

  it('fails the journey on any other error from the provider', async () => {
    const user = journey();
    await user.arrive();
    const url = await user.leave();
    const back = new URL(REDIRECT_URI);
    back.search = new URLSearchParams({
      error: 'server_error',
      state: url.searchParams.get('state')!,
      iss: provider.issuer,
    }).toString();
    await failsWith(
      user,
      await user.back(back),
      'the provider answered with the error "server_error"',
      'provider_error',
    );
  });

  it('fails the journey as a mismatched return when the sign-in kept under its state is not of its shape', async () => {
    const user = journey();
    await user.arrive();
    const state = (await user.leave()).searchParams.get('state')!;
    await hook.storage.stepRecords.put(
      'oidc',
      state,
      { interactionId: user.path.split('/')[2], verifier: 7, nonce: 'n' },
      new Date(hook.clock.now().getTime() + 60_000),
    );
    const back = new URL(REDIRECT_URI);
    back.search = new URLSearchParams({ error: 'server_error', state, iss: provider.issuer }).toString();
    await failsWith(user, await user.back(back), 'could not be matched to this journey', 'state_mismatch');
  });

  it('fails the journey when the sign-in is weaker than the step requires', async () => {
    provider.signInWith({ acr: WEAK });
    const user = journey();
    await user.arrive();
    await failsWith(user, await user.signIn(), `acr "${WEAK}" is not one the step requires`, 'acr_too_weak');
  });

  it('fails the journey when someone else signs in at the provider', async () => {
    const user = journey();
    await user.arrive({ email: 'ana@example.org' });
    await failsWith(
      user,
      await user.signIn('bob@example.org'),
      'not the person the credential is for',
      'subject_mismatch',
    );
  });

  it('compares the matched claims exactly by default: another spelling of the address is someone else', async () => {
    const user = journey();
    await user.arrive({ email: 'Ana@Example.org' });
    await failsWith(
      user,
      await user.signIn('ana@example.org'),
      'not the person the credential is for',
      'subject_mismatch',
    );
  });

  it('with compare "ignore-case", takes another case or spacing of the same address, and still refuses another person', async () => {
    await hook.close();
    hook = await hookFixture(
      {},
      oidcHookConfig({
        issuer: provider.issuer,
        matchClaim: { session: 'email', idToken: 'email', compare: 'ignore-case' },
      }),
    );
    provider.signInWith({});
    const same = journey();
    await same.arrive({ email: ' Ana@EXAMPLE.org' });
    expect(await same.outcome(await same.signIn('ana@example.org'))).toMatchObject({
      kind: 'success',
      state: same.state,
    });
    const other = journey();
    await other.arrive({ email: 'Ana@Example.org' });
    expect(await other.outcome(await other.signIn('bob@example.org'))).toMatchObject({
      kind: 'failure',
      state: other.state,
    });
    const [accepted, failed, ...more] = await decisions(hook);
    expect([accepted?.decision, failed?.decision, more]).toEqual(['accepted', 'failed', []]);
    expect(failed?.evidence).toMatchObject({ reason: 'subject_mismatch' });
  });
});

describe('a return not bound to a journey waiting in this browser changes nothing', () => {
  /** A return to the hook's redirect URI as another site can send any browser there. */
  const forged = (query: Record<string, string>) => {
    const url = new URL(REDIRECT_URI);
    url.search = new URLSearchParams(query).toString();
    return url;
  };
  const ignored = async (res: Response) => {
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('does not belong to a journey in this browser');
    expect(await decisions(hook)).toEqual([]);
  };

  it.each([
    ['a bogus state', { state: 'not-the-state-the-hook-sent', code: 'forged-code' }],
    ['a bogus state and access_denied', { state: 'not-the-state-the-hook-sent', error: 'access_denied' }],
    ['a bogus state and another error', { state: 'not-the-state-the-hook-sent', error: 'server_error' }],
    ['no state', { code: 'forged-code' }],
    ['no state and access_denied', { error: 'access_denied' }],
    ['no state and another error', { error: 'server_error' }],
    ['an empty state and access_denied', { state: '', error: 'access_denied' }],
  ])('ignores a return with %s: the page is as it was, and the real return still completes', async (_case, query) => {
    const user = journey();
    await user.arrive();
    const real = await user.atProvider(await user.leave());
    await ignored(await user.back(forged(query)));
    expect((await user.browser.get(user.path)).text).toContain('Sign in again');
    expect(await user.outcome(await user.back(real))).toMatchObject({ kind: 'success', state: user.state });
    expect((await decisions(hook)).map((d) => d.decision)).toEqual(['accepted']);
  });

  it.each([
    ['its own answer', (theirs: URL) => theirs],
    ['access_denied', (theirs: URL) => forged({ state: theirs.searchParams.get('state')!, error: 'access_denied' })],
    ['another error', (theirs: URL) => forged({ state: theirs.searchParams.get('state')!, error: 'server_error' })],
  ])('ignores another browser’s journey’s state with %s: both journeys still complete', async (_case, made) => {
    const victim = journey();
    await victim.arrive();
    const victimsReturn = await victim.atProvider(await victim.leave());
    const attacker = journey();
    await attacker.arrive();
    const attackersReturn = await attacker.atProvider(await attacker.leave());
    // The attacker's own return (or one forged from its state) opened in the victim's browser.
    await ignored(await victim.back(made(attackersReturn)));
    // And the victim's in the attacker's: the state alone never finds a journey.
    await ignored(await attacker.back(victimsReturn));
    expect(await victim.outcome(await victim.back(victimsReturn))).toMatchObject({
      kind: 'success',
      state: victim.state,
    });
    expect(await attacker.outcome(await attacker.back(attackersReturn))).toMatchObject({
      kind: 'success',
      state: attacker.state,
    });
  });

  it('ignores an earlier return replayed while the journey waits for a new one, which then completes', async () => {
    const user = journey();
    await user.arrive();
    const first = await user.cancelAtProvider(await user.leave());
    await user.back(first);
    const second = await user.atProvider(await user.leave());
    // Taken before, so it leads to the step's page, and decides nothing.
    const replay = await user.back(first);
    expect(replay.status).toBe(303);
    expect(replay.headers.location).toBe(user.path);
    expect(await decisions(hook)).toEqual([]);
    expect(await user.outcome(await user.back(second))).toMatchObject({ kind: 'success', state: user.state });
  });

  it('keeps a journey waiting at the provider when another arrival comes to the same browser: both finish', async () => {
    const victim = journey();
    await victim.arrive({ email: 'ana@example.org' });
    const victimsReturn = await victim.atProvider(await victim.leave());
    // Someone else's unused link opened in the victim's browser meanwhile.
    const planted = new OidcJourney(hook, provider.issuer, victim.browser);
    const page = await planted.arrive({ email: 'mallory@example.org' });
    expect(page.text).toContain('Credential for m•••@example.org');
    expect(await victim.outcome(await victim.back(victimsReturn))).toMatchObject({
      kind: 'success',
      state: victim.state,
    });
    expect(await planted.outcome(await planted.press('decline'))).toMatchObject({
      kind: 'failure',
      state: planted.state,
    });
    expect((await decisions(hook)).map((d) => d.decision)).toEqual(['accepted', 'declined']);
  });

  it('ignores a return while no journey waits for one: the step page is still where it was', async () => {
    const user = journey();
    await user.arrive();
    await ignored(await user.back(forged({ state: 'anything', error: 'access_denied' })));
    expect(await user.outcome(await user.signIn())).toMatchObject({ kind: 'success' });
  });
});

describe('a provider that is away', () => {
  it('shows the 503 page at the way back and spends nothing: the step is shown again, and works once the provider is back', async () => {
    const user = journey();
    await user.arrive();
    const back = await user.atProvider(await user.leave());
    await provider.stop();
    try {
      const away = await user.back(back, { away: true });
      expect(away.headers.location).toBeUndefined();
      expect(away.text).not.toContain(provider.issuer);
      expect(await decisions(hook)).toEqual([]);
    } finally {
      await provider.start();
    }
    const again = await user.browser.get(user.path);
    expect(again.status).toBe(200);
    expect(again.text).toContain('Sign in again');
    expect(await user.outcome(await user.signIn())).toMatchObject({ kind: 'success' });
  });

  it('shows the 503 page instead of sending the user to a provider that does not answer, and decides nothing', async () => {
    const elsewhere = await hookFixture({}, oidcHookConfig({ issuer: 'http://127.0.0.1:9' }));
    try {
      const user = new OidcJourney(elsewhere, 'http://127.0.0.1:9');
      await user.arrive();
      const res = await user.browser
        .post(user.path)
        .type('form')
        .send({ _csrf: csrfFrom((await user.browser.get(user.path)).text), step: STEP_ID, decision: 'signin' });
      expect(res.status).toBe(503);
      expect(res.headers.location).toBeUndefined();
      expect(await decisions(elsewhere)).toEqual([]);
    } finally {
      await elsewhere.close();
    }
  });

  it('takes the hook out of readiness while the provider does not answer, with a fixed sentence', async () => {
    const ready = await request(hook.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(stepsCheck(ready.body)).toEqual({ ok: true });
    await provider.stop();
    try {
      const notReady = await request(hook.app).get('/readyz');
      expect(notReady.status).toBe(503);
      expect(stepsCheck(notReady.body)).toEqual({
        ok: false,
        detail: `the OpenID provider of step "${STEP_ID}" does not answer`,
      });
      expect(notReady.text).not.toContain('127.0.0.1');
    } finally {
      await provider.start();
    }
    expect((await request(hook.app).get('/readyz')).status).toBe(200);
  });
});

const stepsCheck = (body: unknown) => (body as { checks: { steps?: unknown } }).checks.steps;
