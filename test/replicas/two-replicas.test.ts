import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { mintSessionToken, readReturnToken, type TenantIdentity } from '../../src/simulator/tenant-tokens.js';
import { startHook, type RunningHook } from '../../src/start-hook.js';
import { openStorage } from '../../src/storage/open-storage.js';
import type { Storage } from '../../src/storage/ports.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import { verifyChain } from '../../src/storage/verify-chain.js';
import { csrfFrom, HOOK_URL, TENANT_URL, withKey } from '../support/hook-fixture.js';
import { HttpBrowser, type Reply } from '../support/http-browser.js';
import { replicaEnv } from '../support/replica-env.js';
import { engineSandbox, TEST_ENGINE, type EngineSandbox } from '../support/storage-engine.js';

/**
 * Two replicas behind an imaginary load balancer without sticky sessions: two real HTTP servers
 * started the way `npm start` starts one, sharing only PostgreSQL (and Redis) and the secrets.
 */
let sandbox: EngineSandbox;
let dataDir: string;
let replicas: RunningHook[];
let ledger: Storage;
let identity: TenantIdentity;

beforeAll(async () => {
  sandbox = await engineSandbox();
  dataDir = mkdtempSync(path.join(tmpdir(), 'hook-replicas-'));
  const secret = randomBytes(32).toString('base64');
  const env = {
    ...replicaEnv(sandbox, dataDir, secret),
    // Every simulated user comes from 127.0.0.1: the per-IP arrival limit would refuse them.
    ARRIVAL_RATE_LIMIT: '0',
  };
  // Started together, as an orchestrator would: both run the migrations, one waits for the other.
  replicas = await Promise.all([startHook(env, pino({ level: 'silent' })), startHook(env, pino({ level: 'silent' }))]);
  const loaded = loadSettings(env);
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  ledger = await openStorage(loaded.settings);
  identity = { tenantUrl: TENANT_URL, hookUrl: HOOK_URL, key: withKey(secret) };
});

afterAll(async () => {
  // Also when start-up failed half-way: the schema must not outlive the run.
  await Promise.all((replicas ?? []).map((r) => r.close()));
  await ledger?.close();
  await sandbox?.cleanup();
  rmSync(dataDir, { recursive: true, force: true });
});

const base = (i: number) => `http://127.0.0.1:${replicas[i % 2]!.port}`;

async function decisionsFor(state: string): Promise<DecisionRecord[]> {
  const rows: DecisionRecord[] = [];
  for await (const row of ledger.ledger.decisions()) if (row.state === state) rows.push(row);
  return rows;
}

async function outcomeOf(reply: Reply) {
  const back = new URL(reply.location!);
  expect(back.origin).toBe(TENANT_URL);
  return readReturnToken(identity, back.searchParams.get('session_token')!);
}

/** One journey whose arrival, page and answer each go to the replica `first`, `first + 1`, `first + 2`. */
async function alternatingJourney(first: number) {
  const browser = new HttpBrowser();
  const { token, state } = await mintSessionToken(identity, { claims: { given_name: 'Mere' } });
  const arrival = await browser.get(base(first), `/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const page = await browser.get(base(first + 1), arrival.location!);
  expect(page.status).toBe(200);
  const done = await browser.post(base(first + 2), arrival.location!, {
    _csrf: csrfFrom(page.text),
    accept_terms: 'yes',
    decision: 'accept',
  });
  expect(done.status).toBe(303);
  return { browser, token, state, interactionPath: arrival.location!, outcome: await outcomeOf(done) };
}

describe(`two replicas on ${TEST_ENGINE}`, () => {
  it('serves one journey from both replicas with the same cookie, then both say it is completed', async () => {
    const { browser, token, state, interactionPath, outcome } = await alternatingJourney(0);
    expect(outcome).toMatchObject({ kind: 'success', state });
    expect(await decisionsFor(state)).toEqual([expect.objectContaining({ decision: 'accepted', step: 'terms' })]);
    for (const i of [0, 1]) {
      // While the token sent back is valid, each replica's page of the finished journey offers that
      // same way back (PROTOCOL.md §4: a GET shows the page, it does not redirect again).
      const again = await browser.get(base(i), interactionPath);
      expect(again.status).toBe(200);
      const back = /id="return-to-wallet" href="([^"]+)"/.exec(again.text)?.[1]?.replaceAll('&amp;', '&');
      expect(back?.startsWith(TENANT_URL)).toBe(true);
      expect(new URL(back!).searchParams.get('session_token')).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const replay = await browser.get(base(i), `/callback?session_token=${token}`);
      expect(replay.status).toBe(409);
      expect(replay.location).toBeUndefined();
    }
  });

  it('lets exactly one of two simultaneous arrivals with the same token through, every time', async () => {
    for (let round = 0; round < 15; round++) {
      const { token, state } = await mintSessionToken(identity);
      // Odd rounds: two browsers. Even rounds: one browser (one cookie) sending to both.
      const shared = new HttpBrowser();
      const browsers = round % 2 === 1 ? [new HttpBrowser(), new HttpBrowser()] : [shared, shared];
      const replies = await Promise.all(browsers.map((b, i) => b.get(base(i), `/callback?session_token=${token}`)));
      expect(replies.map((r) => r.status).sort()).toEqual([303, 409]);
      const winner = replies.findIndex((r) => r.status === 303);
      const browser = browsers[winner]!;
      const interactionPath = replies[winner]!.location!;
      const page = await browser.get(base(winner + 1), interactionPath);
      const done = await browser.post(base(winner), interactionPath, {
        _csrf: csrfFrom(page.text),
        accept_terms: 'yes',
        decision: 'accept',
      });
      expect(await outcomeOf(done)).toMatchObject({ kind: 'success', state });
      expect(await decisionsFor(state)).toHaveLength(1);
    }
  });

  it('sends the user back once when Accept reaches both replicas at the same moment', async () => {
    for (let round = 0; round < 10; round++) {
      const browser = new HttpBrowser();
      const { token, state } = await mintSessionToken(identity);
      const arrival = await browser.get(base(round), `/callback?session_token=${token}`);
      const page = await browser.get(base(round + 1), arrival.location!);
      const form = { _csrf: csrfFrom(page.text), accept_terms: 'yes', decision: 'accept' };
      const replies = await Promise.all([0, 1].map((i) => browser.post(base(i), arrival.location!, form)));
      const toTenant = replies.filter((r) => r.location?.startsWith(TENANT_URL));
      // Both reach the tenant, with the one token: whichever answer the browser keeps is the right one.
      expect(toTenant).toHaveLength(2);
      expect(new Set(toTenant.map((r) => r.location)).size).toBe(1);
      expect(await decisionsFor(state)).toHaveLength(1);
    }
  });

  it('returns every one of 200 concurrent journeys spread over both replicas with its own state', async () => {
    const journeys = await Promise.all(Array.from({ length: 200 }, (_, i) => alternatingJourney(i)));
    for (const { state, outcome } of journeys) expect(outcome).toMatchObject({ kind: 'success', state });
    expect(new Set(journeys.map((j) => j.outcome.state)).size).toBe(200);
    const states = new Set(journeys.map((j) => j.state));
    let recorded = 0;
    for await (const row of ledger.ledger.decisions()) if (states.has(row.state)) recorded++;
    expect(recorded).toBe(200);
    // Appended by both replicas at once, each under its own commit: still one chain.
    const verdict = await verifyChain(ledger.ledger);
    expect(verdict).toMatchObject({ ok: true });
    expect(verdict.ok && verdict.rows === verdict.state.length && verdict.rows >= 200).toBe(true);
  });

  // Last: it stops a replica.
  it('finishes on one replica a journey begun on another that has since stopped', async () => {
    const browser = new HttpBrowser();
    const { token, state } = await mintSessionToken(identity);
    const arrival = await browser.get(base(0), `/callback?session_token=${token}`);
    const page = await browser.get(base(0), arrival.location!);
    await replicas[0]!.close();
    const done = await browser.post(base(1), arrival.location!, {
      _csrf: csrfFrom(page.text),
      accept_terms: 'yes',
      decision: 'accept',
    });
    expect(await outcomeOf(done)).toMatchObject({ kind: 'success', state });
  });
});
