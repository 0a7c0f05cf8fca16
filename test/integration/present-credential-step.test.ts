import supertest from 'supertest';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PRESENT_DECLINED_MESSAGE } from '../../src/interaction/steps/present-credential/present-step.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';
import { decisions } from '../support/oidc-journey.js';
import {
  licenceFor,
  PresentJourney,
  presentParties,
  STEP_ID,
  VCT,
  type PresentParties,
} from '../support/present-journey.js';
import type { IssuedCredential } from '../support/wallet/test-issuer.js';
import { sdJwtPresenter } from '../support/wallet/test-wallet.js';

let parties: PresentParties;
let licence: IssuedCredential;
let hook: HookFixture;

beforeAll(async () => {
  parties = await presentParties();
  licence = await licenceFor(parties);
});
beforeEach(async () => {
  hook = await hookFixture({}, parties.config);
});
afterEach(async () => {
  await hook.close();
});

/** The redirect_uri the hook answers a processed response with. */
const redirectOf = (res: { body: unknown }): string => (res.body as { redirect_uri: string }).redirect_uri;

const journey = (credential = licence) => new PresentJourney(hook, sdJwtPresenter(parties.holder, credential));

describe('the present-credential step with a wallet on the same device', () => {
  it('asks with a signed request by reference, and goes on once the wallet has presented and the browser returned', async () => {
    const user = journey();
    const first = await user.arrive();
    expect(first.text).toContain('Use my wallet');
    const { page, link } = await user.start();
    expect(page.text).toContain('<svg');
    const url = new URL(link);
    expect(url.protocol).toBe('openid4vp:');
    expect(url.searchParams.get('client_id')).toBe('x509_san_dns:hook.example.com');
    expect(url.searchParams.get('request_uri')).toMatch(
      /^http:\/\/hook\.example\.com\/interaction\/present\/[\w-]{43}\/request$/,
    );

    const request = await user.wallet.receive(link);
    expect(request).toMatchObject({
      clientId: 'x509_san_dns:hook.example.com',
      clientName: 'Test Issuer',
      credentialQueryId: 'licence',
    });
    expect(request.responseUri).toBe(url.searchParams.get('request_uri')!.replace(/request$/, 'response'));
    const answer = await user.wallet.share(request);
    expect(answer.status).toBe(200);
    expect(answer.headers['set-cookie']).toBeUndefined();
    const redirect = redirectOf(answer);
    expect(redirect).toMatch(
      /^http:\/\/hook\.example\.com\/interaction\/return\/present-credential\?response_code=[\w-]+$/,
    );

    expect(await user.outcome(await user.open(redirect))).toMatchObject({
      kind: 'success',
      state: user.state,
      claims: { birthdate: '1990-04-01' },
    });
    const [row, ...more] = await decisions(hook);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      step: STEP_ID,
      decision: 'accepted',
      evidence: {
        format: 'dc+sd-jwt',
        vct: VCT,
        issuer: 'https://dmv.example',
        trustedBy: 'jwks',
        disclosed: ['birthdate', 'family_name'],
        keyBinding: true,
        statusChecked: false,
        matched: 'family_name',
        collected: ['birthdate'],
      },
    });
    // Evidence names claims, never their values, nor the presentation.
    expect(JSON.stringify(row)).not.toMatch(/Okafor|1990-04-01|~/);
  });

  it('serves the request object by POST with the wallet’s nonce, and only once whatever the method', async () => {
    const user = journey();
    await user.arrive();
    const { link } = await user.start();
    const posted = await user.wallet.fetchRequest(link, 'post', 'nonce-from-the-wallet');
    expect(posted.status).toBe(200);
    expect(posted.headers['content-type']).toContain('application/oauth-authz-req+jwt');
    const again = await user.wallet.fetchRequest(link, 'get');
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ error: 'invalid_request' });
    const payload = JSON.parse(Buffer.from(posted.text.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload.wallet_nonce).toBe('nonce-from-the-wallet');
  });

  it('shows the page again with retry or decline when the wallet answers access_denied', async () => {
    const user = journey();
    await user.arrive();
    const { link } = await user.start();
    const refused = await user.wallet.refuse(await user.wallet.receive(link));
    expect(refused.status).toBe(200);
    // Handled, the return is a 303 to the step's page (post/redirect/get), which shows why once.
    const handled = await user.open(redirectOf(refused));
    expect(handled.status).toBe(303);
    const page = await user.open(handled.headers.location!);
    expect(page.status).toBe(200);
    expect(page.text).toContain('You did not share the credential');
    expect(page.text).toContain('value="start"');
    expect(page.text).toContain('value="decline"');
    expect(await user.outcome(await user.press('decline'))).toMatchObject({
      kind: 'failure',
      message: PRESENT_DECLINED_MESSAGE,
    });
  });
});

describe('the present-credential step with a wallet on another device', () => {
  it('polls until the wallet has answered, then the page moves on in this browser', async () => {
    const user = journey();
    await user.arrive();
    const { link } = await user.start();
    expect(await user.poll()).toEqual({ state: 'waiting' });
    const request = await user.wallet.receive(link);
    expect((await user.wallet.share(request)).status).toBe(200);
    const ready = await user.poll();
    expect(ready).toMatchObject({ state: 'answered' });
    expect(await user.outcome(await user.open(String(ready.location)))).toMatchObject({
      kind: 'success',
      claims: { birthdate: '1990-04-01' },
    });
  });

  it('without JavaScript, "continue" before the wallet answered keeps waiting; after, it goes on', async () => {
    const user = journey();
    await user.arrive();
    const { link, continueLink } = await user.start();
    const early = await user.open(continueLink);
    expect(early.status).toBe(303);
    const waiting = await user.open(early.headers.location!);
    const newContinue = /href="([^"]+)" data-present="continue"/.exec(waiting.text)![1]!.replaceAll('&amp;', '&');
    expect(newContinue).not.toBe(continueLink);
    expect((await user.wallet.share(await user.wallet.receive(link))).status).toBe(200);
    expect(await user.outcome(await user.open(newContinue))).toMatchObject({ kind: 'success' });
  });
});

describe('what a wallet or another site may not do', () => {
  it('a response replayed, or posted to another try’s response_uri, decides nothing', async () => {
    const user = journey();
    await user.arrive();
    const { link } = await user.start();
    const request = await user.wallet.receive(link);
    const vpToken = await user.wallet.vpToken(request);
    const other = journey();
    await other.arrive();
    const otherRequest = await other.wallet.receive((await other.start()).link);
    const misdirected = await user.wallet.post(otherRequest.responseUri, { vp_token: vpToken, state: request.state });
    expect(misdirected.status).toBe(400);
    expect(misdirected.body).toMatchObject({ error: 'invalid_request' });
    expect((await user.wallet.post(request.responseUri, { vp_token: vpToken, state: request.state })).status).toBe(200);
    const replayed = await user.wallet.post(request.responseUri, { vp_token: vpToken, state: request.state });
    expect(replayed.status).toBe(400);
    expect(await other.poll()).toEqual({ state: 'waiting' });
  });

  it('a response posted after the try expired is refused', async () => {
    const user = journey();
    const request = await user.requestInWallet();
    hook.clock.advance(301);
    const late = await user.wallet.share(request);
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ error: 'invalid_request' });
  });

  it('the response_code opened in another browser, forged, or twice decides nothing more; twice leads to how it ended', async () => {
    const user = journey();
    const request = await user.requestInWallet();
    const redirect = redirectOf(await user.wallet.share(request));
    const stranger = hook.browser();
    const elsewhere = await stranger.get(new URL(redirect).pathname + new URL(redirect).search);
    expect(elsewhere.status).toBe(400);
    const forged = await user.open(redirect.replace(/response_code=.*/, 'response_code=forged'));
    expect(forged.status).toBe(400);
    expect(await user.outcome(await user.open(redirect))).toMatchObject({ kind: 'success' });
    const twice = await user.open(redirect);
    expect(twice.status).toBe(303);
    expect(twice.headers.location).toBe(user.path);
    const ended = await user.open(user.path);
    expect(ended.status).toBe(200);
    expect(ended.text).toContain('You have finished here');
    expect((await stranger.get(new URL(redirect).pathname + new URL(redirect).search)).status).toBe(400);
  });

  it('a presentation the verifier refuses gets the spec’s error JSON, and the journey fails for the tenant', async () => {
    const user = journey();
    const request = await user.requestInWallet();
    const refused = await user.wallet.share(request, { nonce: 'not-this-try' });
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({
      error: 'invalid_request',
      error_description: 'the presentation was made for another request (nonce).',
    });
    const ready = await user.poll();
    expect(await user.outcome(await user.open(String(ready.location)))).toMatchObject({ kind: 'failure' });
    expect((await decisions(hook))[0]).toMatchObject({ decision: 'failed', evidence: { reason: 'nonce_mismatch' } });
  });

  it('a credential about someone else (matchClaim) fails the journey', async () => {
    const user = journey(await licenceFor(parties, { family_name: 'Someone', birthdate: '1990-04-01' }));
    await user.arrive({ family_name: 'Okafor' });
    const request = await user.wallet.receive((await user.start()).link);
    const redirect = redirectOf(await user.wallet.share(request));
    expect(await user.outcome(await user.open(redirect))).toMatchObject({ kind: 'failure' });
    expect((await decisions(hook))[0]).toMatchObject({ decision: 'failed', evidence: { reason: 'claim_mismatch' } });
  });

  it.each([
    ['not JSON', '{licence'],
    ['the wrong shape', JSON.stringify(['a', 'b'])],
    ['a presentation of garbage', JSON.stringify({ licence: ['x~y~z'] })],
  ])('a vp_token that is %s gets error JSON, not a 5xx', async (_, vpToken) => {
    const user = journey();
    const res = await user.wallet.answer(await user.requestInWallet(), vpToken);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
  });

  it('a 1 MB post is refused as too large', async () => {
    const user = journey();
    const request = await user.requestInWallet();
    const res = await user.wallet.post(request.responseUri, { vp_token: 'A'.repeat(1_000_000), state: request.state });
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'invalid_request' });
  });

  it('an unknown transaction, or a GET of the response endpoint, is error JSON', async () => {
    const user = journey();
    const request = await user.requestInWallet();
    const unknown = await user.wallet.post(
      request.responseUri.replace(/present\/[\w-]+/, `present/${'A'.repeat(43)}`),
      { state: request.state, vp_token: '{}' },
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: 'invalid_request' });
    const got = await supertest(hook.app).get(new URL(request.responseUri).pathname);
    expect(got.status).toBe(405);
    expect(got.body).toMatchObject({ error: 'invalid_request' });
  });

  it('a status list that cannot be fetched fails closed: error JSON to the wallet, the 503 page in the browser, nothing decided', async () => {
    const withStatus = await parties.issuer.issue({
      vct: VCT,
      disclosable: { family_name: 'Okafor', birthdate: '1990-04-01' },
      holder: parties.holder.publicJwk,
      status: { uri: 'http://127.0.0.1:9/lists/1', idx: 3 },
    });
    const user = journey(withStatus);
    await user.arrive();
    const answer = await user.wallet.share(await user.wallet.receive((await user.start()).link));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ error: 'temporarily_unavailable' });
    const ready = await user.poll();
    await user.open(String(ready.location), { away: true });
    expect(await decisions(hook)).toEqual([]);
  });

  it('declining on the first page ends the journey as the user’s choice', async () => {
    const user = journey();
    await user.arrive();
    expect(await user.outcome(await user.press('decline'))).toMatchObject({
      kind: 'failure',
      message: PRESENT_DECLINED_MESSAGE,
    });
  });
});
