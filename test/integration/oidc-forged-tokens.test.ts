import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { startForgingProvider, type ForgedToken, type ForgingProvider } from '../support/forging-provider.js';
import { CLIENT_ID, decisions, oidcHookConfig, OidcJourney, STEP_ID } from '../support/oidc-journey.js';

let provider: ForgingProvider;
let hook: HookFixture;

beforeAll(async () => {
  provider = await startForgingProvider(CLIENT_ID);
});
afterAll(async () => {
  await provider?.close();
});
beforeEach(async () => {
  provider.forge(() => undefined);
  hook = await hookFixture({}, oidcHookConfig({ issuer: provider.issuer, collect: { email: 'step_up_email' } }));
});
afterEach(async () => {
  await hook.close();
});

async function signInWith(change: (token: ForgedToken) => void) {
  provider.forge(change);
  const user = new OidcJourney(hook, provider.issuer);
  await user.arrive();
  return { user, outcome: await user.outcome(await user.signIn()) };
}

describe('ID tokens from a provider that misbehaves', () => {
  it('accepts the token this double makes when nothing is forged: the failures below are the forgeries’ doing', async () => {
    const { user, outcome } = await signInWith(() => undefined);
    expect(outcome).toMatchObject({ kind: 'success', state: user.state, claims: { step_up_email: 'ana@example.org' } });
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, (token: ForgedToken) => void, string, string]>([
    ['another issuer', (t) => void (t.claims.iss = 'https://login.elsewhere.example'), '(iss)', 'issuer_mismatch'],
    ['another audience', (t) => void (t.claims.aud = 'another-client'), '(aud)', 'audience_mismatch'],
    [
      'another sign-in’s nonce',
      (t) => void (t.claims.nonce = 'a-nonce-from-another-sign-in'),
      '(nonce)',
      'nonce_mismatch',
    ],
    [
      'an expiry an hour ago',
      (t) => Object.assign(t.claims, { iat: now() - 3900, exp: now() - 3600 }),
      '(exp)',
      'expired',
    ],
    ['alg "none" and no signature', (t) => void (t.signedWith = 'none'), '(alg)', 'alg_refused'],
    [
      'a key the provider never announced',
      (t) => void (t.signedWith = 'stranger'),
      'signature does not verify',
      'signature_invalid',
    ],
  ])('fails the journey for an ID token with %s, saying which', async (_name, change, words, reason) => {
    const { user, outcome } = await signInWith(change);
    expect(outcome).toMatchObject({ kind: 'failure', state: user.state });
    expect(outcome.kind === 'failure' && outcome.message).toContain(words);
    const rows = await decisions(hook);
    expect(rows).toEqual([{ step: STEP_ID, decision: 'failed', evidence: { issuer: provider.issuer, reason } }]);
  });
});
