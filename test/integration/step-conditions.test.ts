import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Response } from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HookConfig } from '../../src/config/hook-config.js';
import { readReturnToken } from '../../src/simulator/tenant-tokens.js';
import { csrfFrom, hookFixture, mustLoad, TENANT_URL, type HookFixture } from '../support/hook-fixture.js';
import { answer, ledgerRows } from '../support/journey.js';
import { arriveAt } from '../support/page-journey.js';
import { failNextSessionWrite } from '../support/session-faults.js';

/**
 * Steps that run only when needed: the plan is fixed at arrival from the token's claims, a step
 * left out is recorded as `skipped` with its condition (never the claim's value), and the pages
 * count only the steps the plan runs.
 */
let dir: string;
let hook: HookFixture;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-when-'));
  writeFileSync(path.join(dir, 'terms.txt'), 'These are the terms.');
  writeFileSync(path.join(dir, 'privacy.txt'), 'This is how we keep your data.');
});
afterEach(async () => {
  await hook.close();
  rmSync(dir, { recursive: true, force: true });
});

const TERMS = { type: 'terms', version: '1', documents: { en: 'terms.txt' } };
const PROFILE = {
  type: 'profile',
  fields: [{ type: 'text', claim: 'member_number', label: 'Membership number', required: true }],
};
const PRIVACY = { type: 'terms', id: 'privacy', version: '1', documents: { en: 'privacy.txt' } };
const NO_MEMBER_NUMBER = { claim: 'member_number', absent: true };
const EMAIL_NOT_VERIFIED = { not: { claim: 'email_verified', equals: true } };
/** A value no page, ledger row or log line may show. */
const MEMBER_NUMBER = 'M-31415926';

/** A steps file as an operator writes it, read by the loader. */
function stepsFile(steps: unknown[]): HookConfig {
  const file = path.join(dir, `steps-${steps.length}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ issuer: { name: 'Test Issuer' }, steps }));
  return mustLoad(file);
}

/** Terms always; the profile only without a member number; the privacy notice only when the address is not verified. */
const CONDITIONAL = () =>
  stepsFile([TERMS, { ...PROFILE, when: NO_MEMBER_NUMBER }, { ...PRIVACY, when: EMAIL_NOT_VERIFIED }]);

function progressOf(page: Response): string | undefined {
  return /<p class="progress">([^<]*)<\/p>/.exec(page.text)?.[1];
}

/** The outcome of a 303 back to the tenant, as the tenant reads its token. */
async function outcomeOf(res: Response) {
  expect(res.status).toBe(303);
  const back = new URL(res.headers.location!);
  expect(back.origin).toBe(TENANT_URL);
  return readReturnToken(hook.simulator.identity, back.searchParams.get('session_token')!, hook.clock.now());
}

async function nextPage(
  browser: ReturnType<HookFixture['browser']>,
  res: Response,
  interactionPath: string,
): Promise<Response> {
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(interactionPath);
  return browser.get(interactionPath);
}

const decisions = async () =>
  (await ledgerRows(hook)).map((row) => [row.step, row.decision, row.evidence?.when ?? null]);

describe('a journey whose steps have a when', () => {
  it('shows every step to a token without the claims: absent, and not equal to true', async () => {
    hook = await hookFixture({}, CONDITIONAL());
    const at = await arriveAt(hook, { given_name: 'Mere' });
    expect(progressOf(at.page)).toBe('Step 1 of 3');
    const profile = await nextPage(at.browser, await answer(at, 'accept'), at.path);
    expect(profile.text).toContain('Membership number');
    expect(progressOf(profile)).toBe('Step 2 of 3');
    const posted = await at.browser
      .post(at.path)
      .type('form')
      .send({ _csrf: csrfFrom(profile.text), step: 'profile', member_number: '12345678', decision: 'continue' });
    const privacy = await nextPage(at.browser, posted, at.path);
    expect(progressOf(privacy)).toBe('Step 3 of 3');
    const outcome = await outcomeOf(await answer({ ...at, page: privacy }, 'accept'));
    expect(outcome).toMatchObject({ kind: 'success', state: at.state, claims: { member_number: '12345678' } });
    expect(await decisions()).toEqual([
      ['terms', 'accepted', null],
      ['profile', 'accepted', null],
      ['privacy', 'accepted', null],
    ]);
  });

  it('skips a step whose condition does not hold, records the condition and never the value, and counts only the plan', async () => {
    hook = await hookFixture({}, CONDITIONAL());
    const at = await arriveAt(hook, { member_number: MEMBER_NUMBER, email_verified: false });
    expect(progressOf(at.page)).toBe('Step 1 of 2');
    expect(at.page.text).toContain('Accept and continue');
    const privacy = await nextPage(at.browser, await answer(at, 'accept'), at.path);
    expect(privacy.text).toContain('This is how we keep your data.');
    expect(progressOf(privacy)).toBe('Step 2 of 2');
    // The last step the plan runs says that it ends the journey.
    expect(privacy.text).toContain('Finish and return to your wallet');
    const outcome = await outcomeOf(await answer({ ...at, page: privacy }, 'accept'));
    expect(outcome).toMatchObject({ kind: 'success', state: at.state, claims: {} });

    expect(await decisions()).toEqual([
      ['terms', 'accepted', null],
      ['profile', 'skipped', 'member_number absent'],
      ['privacy', 'accepted', null],
    ]);
    const rows = await ledgerRows(hook);
    expect(rows[1]?.evidence).toEqual({ when: 'member_number absent' });
    expect(JSON.stringify(rows)).not.toContain(MEMBER_NUMBER);
    expect(hook.logs.join('')).not.toContain(MEMBER_NUMBER);
    expect(hook.logs.join('')).toContain('"event":"skipped"');
  });

  it('completes after the last step the plan runs when the steps after it are skipped', async () => {
    hook = await hookFixture({}, CONDITIONAL());
    const at = await arriveAt(hook, { member_number: MEMBER_NUMBER, email_verified: true });
    // One step in the plan: no "Step 1 of 1", and its button ends the journey.
    expect(progressOf(at.page)).toBeUndefined();
    expect(at.page.text).toContain('Finish and return to your wallet');
    const done = await answer(at, 'accept');
    expect(await outcomeOf(done)).toMatchObject({ kind: 'success', state: at.state, claims: {} });
    expect(await decisions()).toEqual([
      ['terms', 'accepted', null],
      ['profile', 'skipped', 'member_number absent'],
      ['privacy', 'skipped', 'not(email_verified = true)'],
    ]);
    // The way back was kept with the decision that ended the journey: a second tap gets the same one.
    const again = await answer(at, 'accept');
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe(done.headers.location);
  });

  it('goes straight back to the tenant with a success token when every step is skipped, and the link is then spent', async () => {
    hook = await hookFixture(
      {},
      stepsFile([
        { ...TERMS, when: { claim: 'acr', in: ['loa1', 'loa2'] } },
        { ...PROFILE, when: NO_MEMBER_NUMBER },
      ]),
    );
    const browser = hook.browser();
    const { token, state } = await hook.mint({ claims: { acr: 'loa3', member_number: MEMBER_NUMBER } });
    const arrival = await browser.get(`/callback?session_token=${token}`);
    expect(await outcomeOf(arrival)).toMatchObject({ kind: 'success', state, claims: {} });
    expect(await decisions()).toEqual([
      ['terms', 'skipped', 'acr in ["loa1", "loa2"]'],
      ['profile', 'skipped', 'member_number absent'],
    ]);
    const rows = JSON.stringify(await ledgerRows(hook));
    expect(rows).not.toContain('loa3');
    expect(rows).not.toContain(MEMBER_NUMBER);
    expect((await browser.get(`/callback?session_token=${token}`)).status).toBe(409);
  });

  it('never shows a skipped step whose record reached the ledger but not the session: a reload goes on past it', async () => {
    hook = await hookFixture({}, CONDITIONAL());
    const at = await arriveAt(hook, { member_number: MEMBER_NUMBER });
    // As with sessions in Redis failing just after PostgreSQL committed: the skip is in the ledger,
    // the session still stands at the profile.
    failNextSessionWrite(hook.storage, (commit) => commit?.decision?.decision === 'skipped');
    expect((await answer(at, 'accept')).status).toBe(503);
    // The reload records the skip (the ledger has it already) and moves on to the privacy page.
    const reloaded = await nextPage(at.browser, await at.browser.get(at.path), at.path);
    expect(reloaded.text).not.toContain('Membership number');
    expect(reloaded.text).toContain('This is how we keep your data.');
    expect(progressOf(reloaded)).toBe('Step 2 of 2');
    await outcomeOf(await answer({ ...at, page: reloaded }, 'accept'));
    expect(await decisions()).toEqual([
      ['terms', 'accepted', null],
      ['profile', 'skipped', 'member_number absent'],
      ['privacy', 'accepted', null],
    ]);
  });

  it('keeps the plan fixed at arrival in the stored journey: a hook restarted with another steps file follows it', async () => {
    hook = await hookFixture({}, CONDITIONAL());
    const at = await arriveAt(hook, { member_number: MEMBER_NUMBER });
    // The profile's when is gone from the file the restarted process reads; this journey's plan is not.
    await hook.restart(stepsFile([TERMS, PROFILE, { ...PRIVACY, when: EMAIL_NOT_VERIFIED }]));
    const privacy = await nextPage(at.browser, await answer(at, 'accept'), at.path);
    expect(privacy.text).toContain('This is how we keep your data.');
    expect(progressOf(privacy)).toBe('Step 2 of 2');
    await outcomeOf(await answer({ ...at, page: privacy }, 'accept'));
    expect(await decisions()).toEqual([
      ['terms', 'accepted', null],
      ['profile', 'skipped', 'member_number absent'],
      ['privacy', 'accepted', null],
    ]);
  });
});
