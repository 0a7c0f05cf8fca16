import { configOf } from '../../src/interaction/steps/configured-step.js';
import { termsStepType } from '../../src/interaction/steps/terms/index.js';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { DEFAULT_HOOK_CONFIG } from '../../src/config/hook-config.js';
import { hookFixture, mustLoad, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { answer, arrive, finishedPageHref, ledgerRows } from '../support/journey.js';
import { refuseWrites } from '../support/ledger-faults.js';
import { sha256, termsConfig } from '../support/terms-config.js';

let hook: HookFixture | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

const SHIPPED_TERMS = (() => {
  const [terms] = mustLoad(DEFAULT_HOOK_CONFIG).steps;
  const config = configOf(terms, termsStepType);
  if (!config) throw new Error('the shipped steps file starts with terms');
  return config.documents.en!;
})();

describe('what the ledger records', () => {
  it('records an acceptance with the version, the hash of the exact text shown, the locale and the subject', async () => {
    hook = await hookFixture();
    const arrived = await arrive(hook, { payload: { sub: 'user-123' } });
    const before = Date.now();
    expect((await answer(arrived, 'accept')).status).toBe(303);

    const rows = await ledgerRows(hook);
    expect(rows).toEqual([
      expect.objectContaining({
        interactionId: arrived.interactionPath.split('/').pop(),
        state: arrived.state,
        subject: 'user-123',
        step: 'terms',
        termsVersion: '2026-11',
        termsHash: SHIPPED_TERMS.sha256,
        locale: 'en',
        decision: 'accepted',
        ip: null,
        userAgent: null,
        claims: null,
      }),
    ]);
    expect(SHIPPED_TERMS.sha256).toBe(sha256(SHIPPED_TERMS.text));
    expect(rows[0]!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('records a decline with the same evidence', async () => {
    hook = await hookFixture();
    const arrived = await arrive(hook);
    expect((await answer(arrived, 'decline')).status).toBe(303);
    expect(await ledgerRows(hook)).toEqual([
      expect.objectContaining({
        state: arrived.state,
        decision: 'declined',
        termsVersion: '2026-11',
        termsHash: SHIPPED_TERMS.sha256,
        locale: 'en',
        subject: null,
      }),
    ]);
  });

  it('records an expiry with the version and hash of the terms the user had open', async () => {
    hook = await hookFixture();
    const arrived = await arrive(hook);
    hook.clock.advance(hook.settings.interactionTimeoutSeconds + 1);
    const late = await answer(arrived, 'accept');
    expect(late.status).toBe(410);
    expect(late.headers.location).toBeUndefined();
    expect(await ledgerRows(hook)).toEqual([
      expect.objectContaining({
        state: arrived.state,
        decision: 'expired',
        termsVersion: '2026-11',
        termsHash: SHIPPED_TERMS.sha256,
        locale: 'en',
      }),
    ]);
  });

  it('records the language and hash of the document actually shown', async () => {
    // No English document: the French one is shown, and is what the ledger names.
    hook = await hookFixture({}, termsConfig({ texts: { fr: 'Conditions en français.' } }));
    const arrived = await arrive(hook);
    expect(arrived.page.text).toContain('Conditions en français.');
    await answer(arrived, 'accept');
    expect((await ledgerRows(hook))[0]).toMatchObject({ locale: 'fr', termsHash: sha256('Conditions en français.') });
  });

  it('names the subject by LEDGER_SUBJECT_CLAIM when the token carries it, else by sub', async () => {
    hook = await hookFixture({ LEDGER_SUBJECT_CLAIM: 'email' });
    await answer(await arrive(hook, { claims: { email: 'mere@example.com' }, payload: { sub: 'user-1' } }), 'accept');
    await answer(await arrive(hook, { claims: { given_name: 'Tane' }, payload: { sub: 'user-2' } }), 'accept');
    await answer(await arrive(hook, { claims: { email: 42 } }), 'accept');
    await answer(await arrive(hook, { claims: { email: { nested: true } } }), 'accept');
    expect((await ledgerRows(hook)).map((r) => r.subject)).toEqual(['mere@example.com', 'user-2', '42', null]);
  });

  it('keeps IP address, user agent and claim values out unless the operator turns them on', async () => {
    hook = await hookFixture();
    const arrived = await arrive(hook, { claims: { email: 'a@b.example', given_name: 'Mere' } });
    await answer(arrived, 'accept');
    expect(await ledgerRows(hook)).toEqual([expect.objectContaining({ ip: null, userAgent: null, claims: null })]);
    await hook.close();

    hook = await hookFixture({
      LEDGER_RECORD_IP: 'true',
      LEDGER_RECORD_USER_AGENT: 'true',
      LEDGER_CLAIMS: 'email, missing',
    });
    const browser = hook.browser().set('User-Agent', 'TestWallet/1.0');
    await answer(await arrive(hook, { claims: { email: 'a@b.example', given_name: 'Mere' } }, browser), 'accept');
    const [row] = await ledgerRows(hook);
    expect(row!.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(row!.userAgent).toBe('TestWallet/1.0');
    // Only the listed claims, and only those present: given_name stays out.
    expect(row!.claims).toEqual({ email: 'a@b.example' });
  });

  it('records, when asked, the claims a step collected in that step’s own row', async () => {
    hook = await hookFixture(
      { LEDGER_CLAIMS: 'email,region,given_name' },
      mustLoad(path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json')),
    );
    const arrived = await arrive(hook, { claims: { given_name: 'Mere', email: 'old@b.example' } });
    expect((await answer(arrived, 'accept')).status).toBe(303);
    const profile = await arrived.browser.get(arrived.interactionPath);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(profile.text)![1]!;
    const done = await arrived.browser.post(arrived.interactionPath).type('form').send({
      _csrf: csrf,
      email: 'new@b.example',
      phone_number: '',
      'birthdate-day': '27',
      'birthdate-month': '3',
      'birthdate-year': '1990',
      member_number: '',
      region: 'south',
    });
    expect(done.status).toBe(303);
    expect(new URL(done.headers.location!).origin).toBe(new URL(TENANT_URL).origin);
    expect((await ledgerRows(hook)).map((r) => [r.step, r.claims])).toEqual([
      ['terms', { given_name: 'Mere', email: 'old@b.example' }],
      // The values given on the profile step, not those the token brought.
      ['profile', { given_name: 'Mere', email: 'new@b.example', region: 'south' }],
    ]);
  });

  it('refuses a bad ledger option with a message naming the variable', async () => {
    await expect(hookFixture({ LEDGER_RECORD_IP: 'yes please' })).rejects.toThrow(
      /LEDGER_RECORD_IP must be true or false/,
    );
    await expect(hookFixture({ LEDGER_CLAIMS: 'email,bad name' })).rejects.toThrow(
      /LEDGER_CLAIMS: "bad name" is not a claim name/,
    );
    await expect(hookFixture({ ARRIVAL_RATE_LIMIT: '-1' })).rejects.toThrow(
      /ARRIVAL_RATE_LIMIT must be a whole number/,
    );
  });
});

describe('skipIfAccepted', () => {
  async function returned(location: string) {
    const url = new URL(location);
    expect(url.origin).toBe(TENANT_URL);
    return readReturnToken(hook!.simulator.identity, url.searchParams.get('session_token')!, hook!.clock.now());
  }

  it('sends a subject who accepted this version straight back from the arrival, and records that', async () => {
    hook = await hookFixture({}, termsConfig({ skipIfAccepted: true }));
    await answer(await arrive(hook, { payload: { sub: 'user-1' } }), 'accept');

    const { token, state } = await hook.mint({ payload: { sub: 'user-1' } });
    const browser = hook.browser();
    const again = await browser.get(`/callback?session_token=${token}`);
    expect(again.status).toBe(303);
    expect(await returned(again.headers.location!)).toMatchObject({ kind: 'success', state });

    const rows = await ledgerRows(hook);
    expect(rows.map((r) => [r.subject, r.decision])).toEqual([
      ['user-1', 'accepted'],
      ['user-1', 'already_accepted'],
    ]);
    expect(rows[1]).toMatchObject({ state, termsVersion: '2026-11', termsHash: rows[0]!.termsHash });
    // Finished: while its token is valid the interaction's page offers the same way back; after, it cannot be reopened, and the token not reused.
    const interactionId = rows[1]!.interactionId;
    expect(finishedPageHref((await browser.get(`/interaction/${interactionId}`)).text)).toBe(again.headers.location);
    hook.clock.advance(61);
    expect((await browser.get(`/interaction/${interactionId}`)).status).toBe(409);
    expect((await browser.get(`/callback?session_token=${token}`)).status).toBe(409);
  });

  it('shows the terms again for a new version, another subject, or a token without a subject', async () => {
    hook = await hookFixture({}, termsConfig({ skipIfAccepted: true, version: '2026-11' }));
    await answer(await arrive(hook, { payload: { sub: 'user-1' } }), 'accept');
    await arrive(hook, { payload: { sub: 'user-2' } });
    await arrive(hook);
    await hook.close();
    hook = undefined;

    hook = await hookFixture({}, termsConfig({ skipIfAccepted: true, version: '2027-01' }));
    await arrive(hook, { payload: { sub: 'user-1' } });
  });

  it('does not skip for an earlier decline, nor when the step does not ask for it', async () => {
    hook = await hookFixture({}, termsConfig({ skipIfAccepted: true }));
    await answer(await arrive(hook, { payload: { sub: 'user-1' } }), 'decline');
    await arrive(hook, { payload: { sub: 'user-1' } });
    await hook.close();

    hook = await hookFixture({}, termsConfig({ skipIfAccepted: false }));
    await answer(await arrive(hook, { payload: { sub: 'user-1' } }), 'accept');
    await arrive(hook, { payload: { sub: 'user-1' } });
  });

  it('skips an accepted step in the middle and at the end of several steps', async () => {
    const config = termsConfig(
      { id: 'terms' },
      { id: 'privacy', skipIfAccepted: true, texts: { en: 'Privacy notice.' } },
    );
    hook = await hookFixture({}, config);
    // First time: both steps are shown and accepted.
    const first = await arrive(hook, { payload: { sub: 'user-1' } });
    const toSecond = await answer(first, 'accept');
    expect(toSecond.headers.location).toBe(first.interactionPath);
    const second = { ...first, page: await first.browser.get(first.interactionPath) };
    expect(second.page.text).toContain('Privacy notice.');
    expect((await answer(second, 'accept')).status).toBe(303);

    // Next time: the first step is shown (it does not skip), the accepted last one is skipped.
    const next = await arrive(hook, { payload: { sub: 'user-1' } });
    const back = await answer(next, 'accept');
    expect(back.status).toBe(303);
    expect(await returned(back.headers.location!)).toMatchObject({ kind: 'success', state: next.state });
    const rows = await ledgerRows(hook);
    expect(rows.filter((r) => r.state === next.state).map((r) => [r.step, r.decision])).toEqual([
      ['terms', 'accepted'],
      ['privacy', 'already_accepted'],
    ]);
  });

  it('shows the step when the ledger cannot say, rather than skipping or failing', async () => {
    hook = await hookFixture({}, termsConfig({ skipIfAccepted: true }));
    await answer(await arrive(hook, { payload: { sub: 'user-1' } }), 'accept');
    const lift = await refuseWrites(hook.settings);
    try {
      // The earlier acceptance is found, but the skip cannot be recorded: the user sees the terms.
      await arrive(hook, { payload: { sub: 'user-1' } });
    } finally {
      await lift();
    }
    expect((await ledgerRows(hook)).map((r) => r.decision)).toEqual(['accepted']);
  });
});
