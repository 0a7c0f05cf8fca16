import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureStep } from '../../src/interaction/steps/configured-step.js';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { hookFixture, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { PROBE_PROVIDER, probeStepType } from '../support/probe-step.js';

const TEST_VIEWS = fileURLToPath(new URL('../support/views', import.meta.url));
let hook: HookFixture;

beforeEach(async () => {
  hook = await hookFixture(
    {},
    {
      issuer: { name: 'Test Issuer', supportContact: undefined, logo: undefined, primaryColor: undefined },
      steps: [configureStep(probeStepType, { type: 'probe', id: 'probe' })],
    },
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

const outcomeOf = (location: string) =>
  readReturnToken(hook.simulator.identity, new URL(location).searchParams.get('session_token')!, hook.clock.now());

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
    expect(await outcomeOf((res.body as { location: string }).location)).toMatchObject({
      kind: 'success',
      state,
      claims: { probed: 'yes' },
    });
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows.map((r) => [r.step, r.decision, r.evidence])).toEqual([['probe', 'accepted', { via: 'action' }]]);
  });

  it('ends the journey as failed, not declined, when the step says so', async () => {
    const { browser, path, csrf } = await arrive();
    const res = await browser.post(`${path}/finish`).set('X-CSRF-Token', csrf).send({ ok: false });
    expect(await outcomeOf((res.body as { location: string }).location)).toMatchObject({
      kind: 'failure',
      message: 'The probe failed.',
    });
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.decision);
    expect(rows).toEqual(['failed']);
  });
});

describe('the return route', () => {
  async function sentAway() {
    const journey = await arrive();
    const away = await journey.browser.post(`${journey.path}/away`).set('X-CSRF-Token', journey.csrf).send({});
    const provider = new URL((away.body as { location: string }).location);
    expect(`${provider.origin}${provider.pathname}`).toBe(PROBE_PROVIDER);
    return { ...journey, binding: provider.searchParams.get('response_code')! };
  }

  const ignored = (res: Awaited<ReturnType<ReturnType<HookFixture['browser']>['get']>>) => {
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toContain('does not belong to a journey in this browser');
  };

  it('brings the user back from the other site to the interaction of this session, by the parameter the step names, once', async () => {
    const { browser, path, state, binding } = await sentAway();
    const back = await browser.get(`/interaction/return/probe?response_code=${binding}&result=ok`);
    expect(back.status).toBe(303);
    expect(await outcomeOf(back.headers.location!)).toMatchObject({
      kind: 'success',
      state,
      claims: { probed: 'returned' },
    });
    // The same return again in this browser (a reload of it) leads to the journey's page and decides nothing new.
    const again = await browser.get(`/interaction/return/probe?response_code=${binding}&result=no`);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(path);
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row.decision);
    expect(rows).toEqual(['accepted']);
  });

  it('decides nothing on a return bound to no journey waiting in this browser, and the real one still decides', async () => {
    const { browser, state, binding } = await sentAway();
    // Another browser with the right value: not its session, so no interaction.
    ignored(await hook.browser().get(`/interaction/return/probe?response_code=${binding}&result=no`));
    ignored(await browser.get('/interaction/return/probe?response_code=not-the-one&result=no'));
    ignored(await browser.get('/interaction/return/probe?result=no'));
    // The value in a parameter the step does not read binds nothing.
    ignored(await browser.get(`/interaction/return/probe?state=${binding}&result=no`));
    // A type no configured step returns to.
    ignored(await browser.get(`/interaction/return/oidc?state=${binding}&error=access_denied`));
    const rows = [];
    for await (const row of hook.storage.ledger.decisions()) rows.push(row);
    expect(rows).toEqual([]);
    const back = await browser.get(`/interaction/return/probe?response_code=${binding}&result=ok`);
    expect(await outcomeOf(back.headers.location!)).toMatchObject({ kind: 'success', state });
  });

  it('ends the journey as the step says on a bound return', async () => {
    const { browser, state, binding } = await sentAway();
    const back = await browser.get(`/interaction/return/probe?response_code=${binding}&result=no`);
    expect(await outcomeOf(back.headers.location!)).toMatchObject({
      kind: 'failure',
      state,
      message: 'The provider said no.',
    });
  });
});
