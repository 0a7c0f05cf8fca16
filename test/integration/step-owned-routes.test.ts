import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STEP_TYPES } from '../../src/interaction/steps/registry.js';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { hookFixture, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { PROBE_PROVIDER, probeStepType } from '../support/probe-step.js';

const TEST_VIEWS = fileURLToPath(new URL('../support/views', import.meta.url));
let hook: HookFixture;

beforeEach(async () => {
  hook = await hookFixture(
    {},
    { issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined }, steps: [{ type: 'probe', id: 'probe' }] },
    { stepTypes: [...STEP_TYPES, probeStepType] },
  );
  hook.app.set('views', [hook.app.get('views') as string, TEST_VIEWS]);
});
afterEach(async () => {
  await hook.close();
});

async function arrive() {
  const browser = hook.browser();
  const { token, state } = await hook.mint();
  const path = (await browser.get(`/callback?session_token=${token}`)).headers.location!;
  const page = await browser.get(path);
  const csrf = /id="csrf">([^<]+)</.exec(page.text)![1]!;
  return { browser, path, csrf, state };
}

const outcomeOf = (location: string) => readReturnToken(hook.simulator.identity, new URL(location).searchParams.get('session_token')!, hook.clock.now());

describe('step-owned actions', () => {
  it('answers a step’s JSON action with what the step replies, bound to the interaction', async () => {
    const { browser, path, csrf } = await arrive();
    const res = await browser.post(`${path}/echo`).set('X-CSRF-Token', csrf).send({ value: 'hello' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ seen: 'hello', interaction: path.split('/')[2] });
  });

  it('refuses an action without the CSRF token, an unknown action and another session’s interaction, in JSON', async () => {
    const { browser, path, csrf } = await arrive();
    const forged = await browser.post(`${path}/echo`).send({ value: 'x' });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ error: 'csrf_invalid' });
    const unknown = await browser.post(`${path}/nothing`).set('X-CSRF-Token', csrf).send({});
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'no_such_action' });
    const stranger = await hook.browser().post(`${path}/echo`).set('X-CSRF-Token', csrf).send({});
    expect(stranger.status).toBe(403);
  });

  it('moves the journey on from an action: the script is told where to go, and the tenant gets the claims', async () => {
    const { browser, path, csrf, state } = await arrive();
    const res = await browser.post(`${path}/finish`).set('X-CSRF-Token', csrf).send({ ok: true });
    expect(res.status).toBe(200);
    expect(new URL((res.body as { location: string }).location).origin).toBe(TENANT_URL);
    expect(await outcomeOf((res.body as { location: string }).location)).toMatchObject({ kind: 'success', state, claims: { probed: 'yes' } });
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows.map((r) => [r.step, r.decision, r.evidence])).toEqual([['probe', 'accepted', { via: 'action' }]]);
  });

  it('ends the journey as failed, not declined, when the step says so', async () => {
    const { browser, path, csrf } = await arrive();
    const res = await browser.post(`${path}/finish`).set('X-CSRF-Token', csrf).send({ ok: false });
    expect(await outcomeOf((res.body as { location: string }).location)).toMatchObject({ kind: 'failure', message: 'The probe failed.' });
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.decision);
    expect(rows).toEqual(['failed']);
  });
});

describe('the return route', () => {
  it('brings the user back from the other site to the interaction of this session, once', async () => {
    const { browser, path, csrf, state } = await arrive();
    const away = await browser.post(`${path}/away`).set('X-CSRF-Token', csrf).send({});
    const provider = new URL((away.body as { location: string }).location);
    expect(`${provider.origin}${provider.pathname}`).toBe(PROBE_PROVIDER);
    const returnState = provider.searchParams.get('state')!;

    const back = await browser.get(`/interaction/return/probe?state=${returnState}&result=ok`);
    expect(back.status).toBe(303);
    expect(await outcomeOf(back.headers.location!)).toMatchObject({ kind: 'success', state, claims: { probed: 'returned' } });
    // The same return again is no new decision.
    const replay = await browser.get(`/interaction/return/probe?state=${returnState}&result=ok`);
    expect(replay.status).toBe(400);
    expect(replay.headers.location).toBeUndefined();
  });

  it('fails the journey when the state is wrong, and never finds an interaction from the query alone', async () => {
    const { browser, path, csrf } = await arrive();
    const away = await browser.post(`${path}/away`).set('X-CSRF-Token', csrf).send({});
    const returnState = new URL((away.body as { location: string }).location).searchParams.get('state')!;
    // Another browser with the right state: not its session, so no interaction.
    const elsewhere = await hook.browser().get(`/interaction/return/probe?state=${returnState}&result=ok`);
    expect(elsewhere.status).toBe(400);
    const wrong = await browser.get('/interaction/return/probe?state=not-the-one&result=ok');
    expect(wrong.status).toBe(303);
    expect(await outcomeOf(wrong.headers.location!)).toMatchObject({ kind: 'failure' });
  });
});
