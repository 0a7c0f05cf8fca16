import { expect } from 'vitest';
import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { DecisionRecord } from '../../src/interaction/model.js';
import type { MintOptions } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, type HookFixture } from './hook-fixture.js';

export interface Arrived {
  browser: TestAgent;
  token: string;
  state: string;
  interactionPath: string;
  /** The 303 that answered the arrival (it sets the session cookie). */
  arrival: Response;
  page: Response;
}

/** A browser arrives with a fresh token and opens the first step page. */
export async function arrive(hook: HookFixture, mint: MintOptions = {}, browser = hook.browser()): Promise<Arrived> {
  const { token, state } = await hook.mint(mint);
  const arrival = await browser.get(`/callback?session_token=${token}`);
  expect(arrival.status).toBe(303);
  const interactionPath = arrival.headers.location!;
  expect(interactionPath).toMatch(/^\/interaction\//);
  const page = await browser.get(interactionPath);
  expect(page.status).toBe(200);
  return { browser, token, state, interactionPath, arrival, page };
}

/** Posts the terms form as a browser would, hidden fields included: Accept with the box ticked, or Decline. */
export function answer(arrived: Pick<Arrived, 'browser' | 'interactionPath' | 'page'>, decision: 'accept' | 'decline') {
  const form = decision === 'accept' ? { accept_terms: 'yes', decision } : { decision };
  return arrived.browser
    .post(arrived.interactionPath)
    .type('form')
    .send({ _csrf: csrfFrom(arrived.page.text), step: stepFrom(arrived.page.text), ...form });
}

function stepFrom(html: string): string {
  const match = /name="step" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no step field on the page');
  return match[1]!;
}

export async function ledgerRows(hook: HookFixture): Promise<DecisionRecord[]> {
  const rows: DecisionRecord[] = [];
  for await (const row of hook.storage.ledger.decisions()) rows.push(row);
  return rows;
}

/** The way back on the "you have finished here" page (a GET of a finished journey), or undefined. */
export function finishedPageHref(html: string): string | undefined {
  return /<a class="button-link" id="return-to-wallet" href="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
}
