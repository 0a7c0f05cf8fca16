import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { HookConfig } from '../src/config/hook-config.js';
import { startLocalProvider, type LocalProvider } from '../src/simulator/openid-provider.js';
import { startMailbox, type Mailbox } from '../src/simulator/mailbox.js';
import { arriveWith, codeIn, emailCodeConfig, post, tenantGot } from '../test/support/email-code.js';
import { hookFixture, type HookFixture } from '../test/support/hook-fixture.js';
import { arrive, answer } from '../test/support/journey.js';
import { CLIENT_ID, CLIENT_SECRET, oidcHookConfig, OidcJourney, REDIRECT_URI } from '../test/support/oidc-journey.js';
import {
  authenticateOptions,
  enrol,
  outcomeAt,
  passkeyConfig,
  passkeyJourney,
} from '../test/support/passkey-journey.js';
import { SoftwareAuthenticator } from '../test/support/software-authenticator.js';
import { licenceFor, mdocParties, PresentJourney, presentParties } from '../test/support/present-journey.js';
import { termsConfig } from '../test/support/terms-config.js';
import { issueMdoc, mdocPresenter, type MdocPresentOptions } from '../test/support/wallet/test-mdoc-holder.js';
import { sdJwtPresenter } from '../test/support/wallet/test-wallet.js';

/**
 * What one more step costs a journey: the same journeys, one at a time, in one process on the
 * embedded SQLite file, each type against its real counterpart (an SMTP mailbox, a software
 * authenticator, a local OpenID provider). Prints mean and p95 per journey and the ratio to a
 * terms-only journey; asserts only that every journey reached the tenant.
 */
const JOURNEYS = Number(process.env.STEP_COST_JOURNEYS ?? 200);
const WARM_UP = 20;

let mailbox: Mailbox;
let provider: LocalProvider;
const results: Array<{ name: string; mean: number; p95: number }> = [];

beforeAll(async () => {
  mailbox = await startMailbox();
  provider = await startLocalProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI],
  });
});
afterAll(async () => {
  await mailbox.close();
  await provider.close();
  const base = results[0]?.mean ?? 1;
  console.log(`\nstep costs · ${JOURNEYS} journeys each after ${WARM_UP} warm-up · one at a time · SQLite`);
  for (const r of results)
    console.log(
      `${r.name.padEnd(28)} mean ${r.mean.toFixed(2)} ms · p95 ${r.p95.toFixed(2)} ms · ${(r.mean / base).toFixed(2)}× terms only`,
    );
});

async function measure(
  name: string,
  config: HookConfig,
  journey: (hook: HookFixture, i: number) => Promise<void>,
  deps: Parameters<typeof hookFixture>[2] = {},
  count = { journeys: JOURNEYS, warmUp: WARM_UP },
): Promise<void> {
  // One client making hundreds of arrivals a minute: the arrival limit is off for the measurement.
  const hook = await hookFixture({ ARRIVAL_RATE_LIMIT: '0' }, config, deps);
  try {
    for (let i = 0; i < count.warmUp; i++) await journey(hook, i);
    const times: number[] = [];
    for (let i = 0; i < count.journeys; i++) {
      const started = performance.now();
      await journey(hook, count.warmUp + i);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    results.push({
      name: count.journeys === JOURNEYS ? name : `${name} (${count.journeys})`,
      mean: times.reduce((a, b) => a + b, 0) / times.length,
      p95: times[Math.floor(times.length * 0.95)] ?? Number.NaN,
    });
  } finally {
    await hook.close();
  }
}

it('terms only', async () => {
  await measure('terms only', termsConfig({}), async (hook) => {
    const done = await answer(await arrive(hook), 'accept');
    expect(done.headers.location).toContain('session_token=');
  });
});

it('an emailed code', async () => {
  await measure('email-code (send, verify)', emailCodeConfig({ smtpUrl: mailbox.smtpUrl }), async (hook) => {
    const at = await arriveWith(hook);
    const sent = await post(at, { decision: 'send' });
    const done = await post({ ...at, page: sent }, { decision: 'verify', code: codeIn(mailbox.messages.at(-1)) });
    expect((await tenantGot(hook, done)).kind).toBe('success');
  });
});

it('a passkey, used', async () => {
  const authenticator = new SoftwareAuthenticator();
  await measure('passkey (options, verify)', passkeyConfig(), async (hook, i) => {
    // The first warm-up journey enrols; every one after it, the measured ones too, uses that passkey.
    const subject = 'subject-1';
    if (i === 0) await enrol(hook, authenticator, subject);
    const journey = await passkeyJourney(hook, { payload: { sub: subject } });
    const options = await authenticateOptions(journey);
    const done = await journey.action('verify', {
      response: authenticator.assert(options, new URL(hook.settings.hookUrl).origin),
    });
    expect((await outcomeAt(hook, done.location)).kind).toBe('success');
  });
});

it('step-up at an OpenID provider', async () => {
  await measure('oidc (provider round trip)', oidcHookConfig({ issuer: provider.issuer }), async (hook) => {
    const user = new OidcJourney(hook, provider.issuer);
    await user.arrive();
    const done = await user.signIn();
    expect((await user.outcome(done)).kind).toBe('success');
  });
});

/**
 * A wallet's two requests per journey (the request object, the response) count against the public
 * endpoints' limit of 60 a minute per address, so these journeys are fewer.
 */
const WALLET_JOURNEYS = { journeys: 20, warmUp: 5 };

it('a credential presented from the wallet: SD-JWT VC', async () => {
  const parties = await presentParties();
  const licence = await licenceFor(parties);
  await measure(
    'present SD-JWT VC',
    parties.config,
    async (hook) => {
      const user = new PresentJourney(hook, sdJwtPresenter(parties.holder, licence));
      const request = await user.requestInWallet();
      const answer = await user.wallet.share(request);
      const redirect = (answer.body as { redirect_uri: string }).redirect_uri;
      expect((await user.outcome(await user.open(redirect))).kind).toBe('success');
    },
    {},
    WALLET_JOURNEYS,
  );
});

it('a credential presented from the wallet: ISO mdoc', async () => {
  const parties = await mdocParties();
  const mdl = await issueMdoc(parties.documentSigner, parties.device);
  await measure(
    'present mDL (mso_mdoc)',
    parties.config,
    async (hook) => {
      const user = new PresentJourney<MdocPresentOptions>(hook, mdocPresenter(mdl, parties.device));
      const request = await user.requestInWallet();
      const answer = await user.wallet.share(request);
      const redirect = (answer.body as { redirect_uri: string }).redirect_uri;
      expect((await user.outcome(await user.open(redirect))).kind).toBe('success');
    },
    {},
    WALLET_JOURNEYS,
  );
});
