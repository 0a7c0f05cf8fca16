import { createSecretKey } from 'node:crypto';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulator, type DemoSteps } from '../../src/simulator/tenant-simulator.js';
import { HOOK_URL, hookFixture, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { answer } from '../support/journey.js';

/** The simulated tenant of the demo: its start page runs the steps it shows, and its return page says what it got. */
let hook: HookFixture | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

/** A choice of steps files that records what the tenant asked the hook to run. */
function recordingSteps(): DemoSteps & { chosen: string[] } {
  let current = '/steps/a.json';
  const chosen: string[] = [];
  return {
    chosen,
    choices: [
      { label: 'Steps A', file: '/steps/a.json' },
      { label: 'Steps B', file: '/steps/b.json' },
    ],
    current: () => current,
    async choose(file) {
      chosen.push(file);
      current = file;
    },
  };
}

const simulatorWith = (steps: DemoSteps) =>
  createSimulator(
    { tenantUrl: TENANT_URL, hookUrl: HOOK_URL, key: createSecretKey(Buffer.alloc(32, 7)) },
    { demoSteps: steps },
  ).app;

describe('the simulated tenant', () => {
  it('runs the steps chosen on the start page when Start is pressed, without "Use these steps" first', async () => {
    const steps = recordingSteps();
    const app = simulatorWith(steps);
    const page = await request(app).get('/');
    expect(page.text).toContain('The hook runs now: <strong>Steps A</strong>');
    // One form: the choice travels with Start.
    expect(page.text).toMatch(
      /<form method="post" action="\/start">[\s\S]*<select id="steps" name="steps">[\s\S]*formaction="\/demo\/steps"[\s\S]*Start the interaction hook[\s\S]*<\/form>/,
    );
    const started = await request(app)
      .post('/start')
      .type('form')
      .send({ steps: '1', subject: 'someone', claims: '{"email":"a@b.c"}' });
    expect(started.status).toBe(303);
    expect(started.headers.location).toMatch(/^http:\/\/hook\.example\.com\/callback\?session_token=/);
    expect(steps.chosen).toEqual(['/steps/b.json']);
    // The steps already running are not started again.
    await request(app).post('/start').type('form').send({ steps: '1', subject: 'someone', claims: '{}' });
    expect(steps.chosen).toEqual(['/steps/b.json']);
  });

  it('refuses a choice it did not offer, and keeps what was typed', async () => {
    const steps = recordingSteps();
    const refused = await request(simulatorWith(steps))
      .post('/start')
      .type('form')
      .send({ steps: '7', subject: 'someone', claims: '{"kept":true}' });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain('Choose one of the steps files offered.');
    expect(refused.text).toContain('{&#34;kept&#34;:true}');
    expect(steps.chosen).toEqual([]);
  });

  it('shows the whole failure message as wrapping text, and says plainly when the same answer comes back again', async () => {
    hook = await hookFixture();
    // Started at the tenant, which then waits for this state.
    const started = await request(hook.simulator.app)
      .post('/start')
      .type('form')
      .send({ subject: 'someone', claims: '{"given_name":"Aroha"}' });
    const callback = new URL(started.headers.location!);
    const browser = hook.browser();
    const interactionPath = (await browser.get(`${callback.pathname}${callback.search}`)).headers.location!;
    const page = await browser.get(interactionPath);
    const declined = await answer({ browser, interactionPath, page }, 'decline');
    const back = new URL(declined.headers.location!);
    const first = await request(hook.simulator.app).get(`${back.pathname}${back.search}`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('Issuance failed');
    expect(first.text).toMatch(/<blockquote class="message">The user declined the terms of use\.<\/blockquote>/);
    expect(first.text).not.toContain('<pre>');
    const again = await request(hook.simulator.app).get(`${back.pathname}${back.search}`);
    expect(again.status).toBe(400);
    expect(again.text).toContain('<h1>Seen again</h1>');
    expect(again.text).toContain('already took the hook’s answer for this issuance');
  });
});
