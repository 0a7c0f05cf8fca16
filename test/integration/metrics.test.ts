import { afterEach, describe, expect, it } from 'vitest';
import { HookMetrics } from '../../src/ops/metrics.js';
import { csrfFrom, hookFixture, type HookFixture } from '../support/hook-fixture.js';

let hook: HookFixture;
afterEach(async () => {
  await hook.close();
});

/** One sample's value from the exposition text, e.g. value(text, 'hook_journeys_ended_total{outcome="completed"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function journey(decision: 'accept' | 'decline') {
  const browser = hook.browser();
  const { token } = await hook.mint({ claims: { given_name: 'Mere' } });
  const arrival = await browser.get(`/callback?session_token=${token}`);
  const page = await browser.get(arrival.headers.location!);
  const form = decision === 'accept' ? { accept_terms: 'yes', decision } : { decision };
  const done = await browser
    .post(arrival.headers.location!)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), ...form });
  expect(done.status).toBe(303);
  return { browser, token };
}

describe('GET /metrics', () => {
  it('counts journeys by outcome, rejected arrivals by code, step and storage timings, with the process metrics', async () => {
    hook = await hookFixture();
    const { token } = await journey('accept');
    await journey('decline');
    // Refused arrivals: no token, a forged one, a replay.
    await hook.browser().get('/callback');
    await hook.browser().get('/callback?session_token=not.a.token');
    await hook.browser().get(`/callback?session_token=${token}`);
    // One that runs out of time.
    const late = hook.browser();
    const arrival = await late.get(`/callback?session_token=${(await hook.mint()).token}`);
    hook.clock.advance(hook.settings.interactionTimeoutSeconds + 1);
    expect((await late.get(arrival.headers.location!)).status).toBe(410);
    // A refusal elsewhere is not an arrival.
    await hook.browser().get('/interaction/000000000000AAAAAAAAAAAAAAAAAAAAAA');

    const res = await hook.browser().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const text = res.text;
    expect(value(text, 'hook_journeys_started_total')).toBe(3);
    expect(value(text, 'hook_journeys_ended_total{outcome="completed"}')).toBe(1);
    expect(value(text, 'hook_journeys_ended_total{outcome="declined"}')).toBe(1);
    expect(value(text, 'hook_journeys_ended_total{outcome="expired"}')).toBe(1);
    expect(value(text, 'hook_arrivals_rejected_total{reason="token_missing"}')).toBe(1);
    expect(value(text, 'hook_arrivals_rejected_total{reason="token_malformed"}')).toBe(1);
    expect(value(text, 'hook_arrivals_rejected_total{reason="token_replayed"}')).toBe(1);
    expect(text).not.toContain('reason="interaction_not_found"');
    expect(value(text, 'hook_step_duration_seconds_count{step="terms",decision="accepted"}')).toBe(1);
    expect(value(text, 'hook_step_duration_seconds_count{step="terms",decision="declined"}')).toBe(1);
    expect(value(text, 'hook_step_duration_seconds_count{step="terms",decision="expired"}')).toBe(1);
    // The expired one waited out the whole timeout on its step.
    expect(value(text, 'hook_step_duration_seconds_bucket{le="600",step="terms",decision="expired"}')).toBe(0);
    // The token claims and the decisions commit with the session: one durable round each, no separate claim.
    expect(value(text, 'hook_storage_operation_duration_seconds_count{operation="tokens.claimOnce"}')).toBeUndefined();
    expect(
      value(text, 'hook_storage_operation_duration_seconds_count{operation="session.set"}'),
    ).toBeGreaterThanOrEqual(7);
    expect(
      value(text, 'hook_http_request_duration_seconds_count{method="POST",route="/interaction/:id",status="303"}'),
    ).toBe(2);
    expect(value(text, 'hook_http_request_duration_seconds_count{method="GET",route="/callback",status="303"}')).toBe(
      3,
    );
    expect(
      value(text, 'hook_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}'),
    ).toBeUndefined();
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    // No interaction id or token ever becomes a label.
    expect(text).not.toMatch(/interaction\/[A-Za-z0-9_-]{22}/);
    expect(text).not.toContain(token);
  });

  it('shows a step page without a durable write: the arrival saved all it needs', async () => {
    hook = await hookFixture();
    const browser = hook.browser();
    const arrival = await browser.get(`/callback?session_token=${(await hook.mint()).token}`);
    const before = (await hook.browser().get('/metrics')).text;
    expect((await browser.get(arrival.headers.location!)).status).toBe(200);
    expect((await browser.get(arrival.headers.location!)).status).toBe(200);
    const after = (await hook.browser().get('/metrics')).text;
    const sets = 'hook_storage_operation_duration_seconds_count{operation="session.set"}';
    const gets = 'hook_storage_operation_duration_seconds_count{operation="session.get"}';
    const touches = 'hook_storage_operation_duration_seconds_count{operation="session.touch"}';
    expect(value(before, sets)).toBeGreaterThan(0);
    expect(value(after, sets)).toBe(value(before, sets));
    expect(value(after, touches)).toBeUndefined();
    expect((value(after, gets) ?? 0) - (value(before, gets) ?? 0)).toBe(2);
  });

  it('writes the session once per arrival, also when the arrival gives it a new id', async () => {
    hook = await hookFixture();
    const browser = hook.browser();
    const sets = 'hook_storage_operation_duration_seconds_count{operation="session.set"}';
    const counts = async () => ({ sets: value((await hook.browser().get('/metrics')).text, sets) ?? 0 });
    // A browser without a session: the id made for it is new, and the arrival stores it once.
    const first = await browser.get(`/callback?session_token=${(await hook.mint()).token}`);
    expect(first.status).toBe(303);
    expect(await counts()).toEqual({ sets: 1 });
    // The same browser arrives again: its stored id is replaced, and the new one stored once.
    const second = await browser.get(`/callback?session_token=${(await hook.mint()).token}`);
    expect(second.status).toBe(303);
    expect(await counts()).toEqual({ sets: 2 });
    // The new session holds both journeys (the first still under way); showing their pages writes nothing.
    expect((await browser.get(first.headers.location!)).status).toBe(200);
    expect((await browser.get(second.headers.location!)).status).toBe(200);
    expect(await counts()).toEqual({ sets: 2 });
  });

  it('keeps each app’s counts apart, so many apps can live in one process', async () => {
    hook = await hookFixture();
    await journey('accept');
    const other = await hookFixture();
    try {
      const text = (await other.browser().get('/metrics')).text;
      expect(value(text, 'hook_journeys_started_total')).toBe(0);
      expect(value(text, 'hook_journeys_ended_total{outcome="completed"}')).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('answers 503 with a plain sentence and no figures when the metrics of every worker cannot be gathered', async () => {
    // What a worker's metrics do when the primary reports a worker that did not answer in time.
    const metrics = new HookMetrics().gatherWith(() =>
      Promise.reject(new Error('the primary could not gather the metrics of every worker: Operation timed out.')),
    );
    hook = await hookFixture({}, undefined, { metrics });
    await journey('accept');
    const res = await hook.browser().get('/metrics');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toBe('The metrics of every worker could not be gathered; try again.\n');
    expect(hook.logs.join('')).toContain('Operation timed out.');
  });

  it('asks for the bearer token when METRICS_TOKEN is set, and never logs or echoes it', async () => {
    const secretToken = 'metrics-token-0123456789abcdef';
    hook = await hookFixture({ METRICS_TOKEN: secretToken });
    const none = await hook.browser().get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect(none.text).not.toContain('hook_');
    const wrong = await hook.browser().get('/metrics').set('Authorization', `Bearer ${secretToken}x`);
    expect(wrong.status).toBe(401);
    const basic = await hook.browser().get('/metrics').set('Authorization', `Basic ${secretToken}`);
    expect(basic.status).toBe(401);
    const right = await hook.browser().get('/metrics').set('Authorization', `Bearer ${secretToken}`);
    expect(right.status).toBe(200);
    expect(right.text).toContain('hook_journeys_started_total');
    expect(hook.logs.join('')).not.toContain(secretToken);
  });
});
