import { describe, expect, it } from 'vitest';
import { returnDigest, type Interaction } from '../../src/interaction/interaction.js';
import {
  journeyAwaiting,
  journeyNext,
  planProgress,
  type JourneyEvent,
  type JourneyPlan,
} from '../../src/interaction/journey.js';

/** The journey machine alone: no HTTP, storage or clock. */
const NOW = 1_000_000;
const plan = (...skippable: boolean[]): JourneyPlan => ({
  steps: skippable.map((s, i) => ({ id: `step-${i + 1}`, type: 'terms', skippable: s })),
});
const TWO = plan(false, false);

function interaction(over: Partial<Interaction> = {}): Interaction {
  return {
    id: 'i-1',
    state: 's',
    redirectUrl: 'https://tenant.example/back',
    claims: {},
    subject: 'user-1',
    createdAt: NOW - 1000,
    deadline: NOW + 60_000,
    cursor: 0,
    collected: {},
    status: 'active',
    ...over,
  };
}
const next = (claims: Record<string, unknown> = {}): JourneyEvent => ({
  kind: 'answered',
  outcome: { kind: 'next', claims, evidence: { shown: true } },
});

describe('the journey machine', () => {
  it('shows the first step after the arrival, or checks an earlier acceptance when the step may be skipped', () => {
    expect(journeyNext(interaction(), { kind: 'arrived' }, TWO, NOW).action).toEqual({ kind: 'go-to-step' });
    expect(journeyNext(interaction(), { kind: 'arrived' }, plan(true, false), NOW).action).toEqual({
      kind: 'check-acceptance',
      step: 'step-1',
    });
    // Without a subject there is nobody whose acceptance could count.
    expect(journeyNext(interaction({ subject: null }), { kind: 'arrived' }, plan(true), NOW).action).toEqual({
      kind: 'go-to-step',
    });
  });

  it('commits a decision before anything else: an inner step moves the cursor only with it', () => {
    const { interaction: after, action } = journeyNext(interaction(), next({ email: 'a@example.org' }), TWO, NOW);
    expect(action).toEqual({ kind: 'commit', step: 'step-1', decision: 'accepted', evidence: { shown: true } });
    expect(after).toMatchObject({
      cursor: 1,
      collected: { email: 'a@example.org' },
      status: 'active',
      stepStartedAt: NOW,
    });
    expect(journeyNext(after, { kind: 'committed' }, TWO, NOW).action).toEqual({ kind: 'go-to-step' });
  });

  it('finishes the last step with one commit carrying the success token, then returns to the tenant', () => {
    const last = interaction({ cursor: 1, collected: { a: 1 } });
    const { interaction: after, action } = journeyNext(last, next({ b: 2 }), TWO, NOW);
    expect(action).toEqual({
      kind: 'commit',
      step: 'step-2',
      decision: 'accepted',
      evidence: { shown: true },
      finish: { kind: 'success', claims: { a: 1, b: 2 } },
    });
    expect(after.status).toBe('completed');
    const completion = { url: 'https://tenant.example/back?session_token=t', expiresAt: NOW + 60_000 };
    const finished = { ...after, repeatUntil: completion.expiresAt };
    expect(journeyNext(finished, { kind: 'committed', completion }, TWO, NOW).action).toEqual({
      kind: 'return-to-tenant',
      url: completion.url,
    });
    // The session keeps no token: only until when the way back repeats.
    expect(JSON.stringify(finished)).not.toContain('session_token');
  });

  it('repeats the one way back, read from the ledger, while its token is valid: again to a second tap, as a page to a reload or Back; then refuses', () => {
    const completion = { url: 'https://tenant.example/back?session_token=t', expiresAt: NOW + 30_000 };
    const finished = interaction({ cursor: 1, status: 'completed', repeatUntil: completion.expiresAt });
    for (const event of [{ kind: 'visited' }, { kind: 'posted' }, { kind: 'posted', step: 'step-1' }] as const) {
      expect(journeyNext(finished, event, TWO, NOW).action).toEqual({ kind: 'read-completion', for: event.kind });
      expect(journeyNext(finished, event, TWO, NOW + 30_001).action).toEqual({
        kind: 'refuse',
        code: 'interaction_finished',
      });
    }
    expect(journeyNext(finished, { kind: 'completion-read', completion, for: 'posted' }, TWO, NOW).action).toEqual({
      kind: 'return-to-tenant',
      url: completion.url,
    });
    // A GET never redirects again: it shows that the journey is over, with the same way back on a button.
    expect(journeyNext(finished, { kind: 'completion-read', completion, for: 'visited' }, TWO, NOW).action).toEqual({
      kind: 'show-finished',
      url: completion.url,
    });
    // The ledger no longer has it (pruned, or run out): the page that says how it ended, never a new token.
    for (const by of ['visited', 'posted'] as const) {
      expect(journeyNext(finished, { kind: 'completion-read', completion: null, for: by }, TWO, NOW).action).toEqual({
        kind: 'refuse',
        code: 'interaction_finished',
      });
      expect(
        journeyNext(
          finished,
          { kind: 'completion-read', completion: { ...completion, expiresAt: NOW }, for: by },
          TWO,
          NOW,
        ).action,
      ).toEqual({ kind: 'refuse', code: 'interaction_finished' });
    }
    expect(journeyNext({ ...finished, status: 'declined' }, { kind: 'visited' }, TWO, NOW + 30_001).action).toEqual({
      kind: 'refuse',
      code: 'interaction_declined',
    });
    expect(journeyNext({ ...finished, status: 'failed' }, { kind: 'visited' }, TWO, NOW + 30_001).action).toEqual({
      kind: 'refuse',
      code: 'interaction_failed',
    });
  });

  it('ends a declined or failed step with a failure token, told apart in the decision', () => {
    for (const kind of ['declined', 'failed'] as const) {
      const { interaction: after, action } = journeyNext(
        interaction(),
        { kind: 'answered', outcome: { kind, message: 'why', evidence: {} } },
        TWO,
        NOW,
      );
      expect(action).toEqual({
        kind: 'commit',
        step: 'step-1',
        decision: kind,
        evidence: {},
        finish: { kind: 'failure', message: 'why' },
      });
      expect(after.status).toBe(kind);
    }
  });

  it('ends a failure the step explains on a page that says why: every POST goes there, a GET shows it with the one way back', () => {
    const outcome = { kind: 'failed', message: 'why', evidence: {}, reason: 'too-many-codes' } as const;
    const { interaction: after, action } = journeyNext(interaction(), { kind: 'answered', outcome }, TWO, NOW);
    expect(action).toEqual({
      kind: 'commit',
      step: 'step-1',
      decision: 'failed',
      evidence: {},
      finish: { kind: 'failure', message: 'why' },
    });
    expect(after).toMatchObject({ status: 'failed', failedBecause: 'too-many-codes' });
    const completion = { url: 'https://tenant.example/back?session_token=t', expiresAt: NOW + 60_000 };
    const failed = { ...after, repeatUntil: completion.expiresAt };
    // Not straight back to the tenant: to the page first (post/redirect/get), also for a second tap.
    expect(journeyNext(failed, { kind: 'committed', completion }, TWO, NOW).action).toEqual({ kind: 'go-to-step' });
    expect(journeyNext(failed, { kind: 'completion-read', completion, for: 'posted' }, TWO, NOW).action).toEqual({
      kind: 'go-to-step',
    });
    expect(journeyNext(failed, { kind: 'completion-read', completion, for: 'visited' }, TWO, NOW).action).toEqual({
      kind: 'show-finished',
      url: completion.url,
      reason: 'too-many-codes',
    });
    // Once the token has run out, the page that says the journey failed, never a new token.
    expect(journeyNext(failed, { kind: 'visited' }, TWO, NOW + 60_001).action).toEqual({
      kind: 'refuse',
      code: 'interaction_failed',
    });
  });

  it('records an expiry instead of running the step once the deadline passed, then refuses', () => {
    const late = interaction();
    const { interaction: after, action } = journeyNext(late, { kind: 'posted' }, TWO, late.deadline + 1);
    expect(action).toEqual({ kind: 'commit', step: 'step-1', decision: 'expired', evidence: null });
    expect(journeyNext(after, { kind: 'committed' }, TWO, late.deadline + 1).action).toEqual({
      kind: 'refuse',
      code: 'interaction_expired',
    });
    expect(journeyNext(late, { kind: 'posted' }, TWO, late.deadline).action).toEqual({ kind: 'run-step' });
  });

  it('skips a step accepted before, recorded as such, and completes when it was the last', () => {
    const skipping = plan(false, true);
    const atPrivacy = interaction({ cursor: 1 });
    const { interaction: after, action } = journeyNext(
      atPrivacy,
      { kind: 'acceptance-checked', acceptedBefore: true },
      skipping,
      NOW,
    );
    expect(action).toMatchObject({
      kind: 'commit',
      step: 'step-2',
      decision: 'already_accepted',
      finish: { kind: 'success' },
    });
    expect(after.status).toBe('completed');
    expect(journeyNext(atPrivacy, { kind: 'acceptance-checked', acceptedBefore: false }, skipping, NOW).action).toEqual(
      { kind: 'go-to-step' },
    );
  });

  it('goes on from a decision made before: past an accepted inner step, to the same way back for a finished one', () => {
    const accepted = journeyNext(
      interaction(),
      { kind: 'decided-before', decision: 'accepted', completion: null },
      TWO,
      NOW,
    );
    expect(accepted.interaction.cursor).toBe(1);
    expect(accepted.action).toEqual({ kind: 'commit', step: 'step-1', decision: null, evidence: null });
    // A submit racing the one that ended the journey gets that journey's token, not one of its own.
    const completion = { url: 'https://tenant.example/back?session_token=first', expiresAt: NOW + 60_000 };
    const raced = journeyNext(
      interaction({ cursor: 1 }),
      { kind: 'decided-before', decision: 'accepted', completion },
      TWO,
      NOW,
    );
    expect(raced.action).toEqual({ kind: 'return-to-tenant', url: completion.url });
    expect(raced.interaction).toMatchObject({ status: 'completed', repeatUntil: completion.expiresAt });
  });

  it('keeps an acceptance when a decline comes after it, and a decline when an acceptance comes after it', () => {
    // The decline lost the race on an inner step: the recorded acceptance stands and the journey goes on.
    expect(
      journeyNext(interaction(), { kind: 'decided-before', decision: 'accepted', completion: null }, TWO, NOW)
        .interaction.cursor,
    ).toBe(1);
    // A decline recorded before (its way back gone): the journey is over, whatever this submit says.
    expect(
      journeyNext(interaction(), { kind: 'decided-before', decision: 'declined', completion: null }, TWO, NOW).action,
    ).toEqual({ kind: 'refuse', code: 'interaction_declined' });
    // The last step accepted before and its token run out: finished, never a second token.
    expect(
      journeyNext(
        interaction({ cursor: 1 }),
        { kind: 'decided-before', decision: 'accepted', completion: null },
        TWO,
        NOW,
      ).action,
    ).toEqual({ kind: 'refuse', code: 'interaction_finished' });
  });

  it('answers a POST that succeeded without moving on with a 303 to the page, which shows it once (post/redirect/get)', () => {
    const start = interaction();
    const sent = journeyNext(
      start,
      { kind: 'answered', outcome: { kind: 'again', status: 200, errors: {}, view: { notice: 'sent' } } },
      TWO,
      NOW,
    );
    expect(sent.action).toEqual({ kind: 'go-to-step' });
    const shown = journeyNext(sent.interaction, { kind: 'visited' }, TWO, NOW);
    expect(shown.action).toEqual({ kind: 'show-step', errors: {}, view: { notice: 'sent' } });
    // Once: a reload shows the page as it stands.
    expect(journeyNext(shown.interaction, { kind: 'visited' }, TWO, NOW).action).toEqual({
      kind: 'show-step',
      errors: {},
      view: {},
    });
    // A page with errors is still the POST's own answer, with its 4xx.
    expect(
      journeyNext(start, { kind: 'answered', outcome: { kind: 'again', status: 422, errors: { a: 'b' } } }, TWO, NOW)
        .action,
    ).toMatchObject({ kind: 'show-again', status: 422 });
  });

  it('shows a step again, or sends the user elsewhere, without deciding anything', () => {
    const start = interaction();
    const again = journeyNext(
      start,
      { kind: 'answered', outcome: { kind: 'again', status: 422, errors: { a: 'b' } } },
      TWO,
      NOW,
    );
    expect(again).toEqual({
      interaction: start,
      action: { kind: 'show-again', status: 422, errors: { a: 'b' }, view: {} },
    });
    expect(
      journeyNext(
        start,
        { kind: 'answered', outcome: { kind: 'leave', url: 'https://login.example/authorize' } },
        TWO,
        NOW,
      ).action,
    ).toEqual({
      kind: 'leave',
      url: 'https://login.example/authorize',
    });
  });

  it('answers a form drawn for a step the journey has moved past with that journey’s page, deciding nothing', () => {
    const atSecond = interaction({ cursor: 1 });
    expect(journeyNext(atSecond, { kind: 'posted', step: 'step-1' }, TWO, NOW)).toEqual({
      interaction: atSecond,
      action: { kind: 'go-to-step' },
    });
    expect(journeyNext(atSecond, { kind: 'posted', step: 'step-2' }, TWO, NOW).action).toEqual({ kind: 'run-step' });
    // An action names no step: it answers the current one.
    expect(journeyNext(atSecond, { kind: 'posted' }, TWO, NOW).action).toEqual({ kind: 'run-step' });
  });
});

describe('a return from another site', () => {
  const OIDC = plan(false, false);
  const withOidc: JourneyPlan = { steps: OIDC.steps.map((s, i) => (i === 0 ? { ...s, type: 'oidc' } : s)) };
  const waiting = (over: Partial<Interaction> = {}) =>
    interaction({ awaitingReturn: { type: 'oidc', digest: returnDigest('the-value') }, ...over });
  const returned = (binding: string, type = 'oidc'): JourneyEvent => ({ kind: 'returned', type, binding });

  it('takes the single-use record of a return bound to the journey, then asks the step, no longer waiting', () => {
    const start = waiting();
    expect(journeyNext(start, returned('the-value'), withOidc, NOW)).toEqual({
      interaction: start,
      action: { kind: 'take-return', binding: 'the-value' },
    });
    const { interaction: after, action } = journeyNext(start, { kind: 'return-taken', bound: true }, withOidc, NOW);
    expect(action).toEqual({ kind: 'run-step' });
    expect(after.awaitingReturn).toBeUndefined();
  });

  it('changes nothing on a return bound to another value, another type, a journey not waiting or one finished', () => {
    const refused = { kind: 'refuse', code: 'return_unmatched' };
    for (const [start, event] of [
      [waiting(), returned('another-value')],
      [waiting(), returned('')],
      [waiting(), returned('the-value', 'probe')],
      [interaction(), returned('the-value')],
      [waiting({ status: 'failed' }), returned('the-value')],
      [waiting({ cursor: 1 }), returned('the-value')],
    ] as const) {
      expect(journeyNext(start, event, withOidc, NOW)).toEqual({ interaction: start, action: refused });
    }
  });

  it('goes to the step’s page, changing nothing, when another request took the return first', () => {
    const start = waiting();
    expect(journeyNext(start, { kind: 'return-taken', bound: false }, withOidc, NOW)).toEqual({
      interaction: start,
      action: { kind: 'go-to-step' },
    });
  });

  it('records an expiry for a bound return after the deadline', () => {
    const late = waiting();
    const { interaction: after, action } = journeyNext(late, returned('the-value'), withOidc, late.deadline + 1);
    expect(action).toEqual({ kind: 'commit', step: 'step-1', decision: 'expired', evidence: null });
    expect(after).toMatchObject({ status: 'expired', awaitingReturn: undefined });
  });

  it('finds the journey of a session that waits with the value, and none for any other', () => {
    const mine = waiting({ id: 'mine' });
    const other = interaction({ id: 'other', awaitingReturn: { type: 'oidc', digest: returnDigest('another-value') } });
    const session = { mine, other };
    expect(journeyAwaiting(session, 'oidc', 'the-value')).toBe(mine);
    expect(journeyAwaiting(session, 'oidc', 'another-value')).toBe(other);
    expect(journeyAwaiting(session, 'oidc', 'made-up')).toBeUndefined();
    expect(journeyAwaiting(session, 'probe', 'the-value')).toBeUndefined();
    expect(journeyAwaiting({ mine: { ...mine, status: 'completed' } }, 'oidc', 'the-value')).toBeUndefined();
    expect(journeyAwaiting(undefined, 'oidc', 'the-value')).toBeUndefined();
  });
});

describe('what the steps passed verified about the person', () => {
  const VERIFYING: JourneyPlan = {
    steps: [
      { id: 'code', type: 'email-code', skippable: false, verifiesPerson: true },
      { id: 'passkey', type: 'passkey', skippable: false, verifiesPerson: true },
      { id: 'last', type: 'terms', skippable: false },
    ],
  };
  const answered = (outcome: Partial<Extract<JourneyEvent, { kind: 'answered' }>['outcome']> = {}): JourneyEvent => ({
    kind: 'answered',
    outcome: { kind: 'next', claims: {}, evidence: {}, ...outcome } as Extract<
      JourneyEvent,
      { kind: 'answered' }
    >['outcome'],
  });

  it('counts a success of a type that verifies, with the address it confirmed, and nothing for one that does not', () => {
    const afterCode = journeyNext(
      interaction(),
      answered({ confirmedAddress: 'a@example.org' }),
      VERIFYING,
      NOW,
    ).interaction;
    expect(afterCode.verified).toEqual({ steps: ['code'], email: 'a@example.org' });
    const afterTerms = journeyNext(interaction({ cursor: 0 }), answered(), TWO, NOW).interaction;
    expect(afterTerms.verified).toEqual({ steps: [], email: null });
  });

  it('does not count a success whose outcome says it verified nothing (a passkey just created, a sign-in not matched)', () => {
    const enrolled = journeyNext(interaction({ cursor: 1 }), answered({ verified: false }), VERIFYING, NOW).interaction;
    expect(enrolled.verified).toEqual({ steps: [], email: null });
    const used = journeyNext(
      interaction({ cursor: 1, verified: { steps: ['code'], email: 'a@example.org' } }),
      answered(),
      VERIFYING,
      NOW,
    ).interaction;
    expect(used.verified).toEqual({ steps: ['code', 'passkey'], email: 'a@example.org' });
  });

  it('does not count a step passed over because it was accepted before', () => {
    const skipped = journeyNext(
      interaction(),
      { kind: 'acceptance-checked', acceptedBefore: true },
      { steps: [{ ...VERIFYING.steps[0]!, skippable: true }, VERIFYING.steps[2]!] },
      NOW,
    ).interaction;
    expect(skipped.verified).toBeUndefined();
  });
});

describe('the plan fixed at arrival (when)', () => {
  const notVerified = { not: { claim: 'email_verified', equals: true } } as const;
  const noMember = { claim: 'member_number', absent: true } as const;
  const WHEN: JourneyPlan = {
    steps: [
      { id: 'terms', type: 'terms', skippable: false },
      { id: 'email-code', type: 'email-code', skippable: false, when: notVerified },
      { id: 'profile', type: 'profile', skippable: false, when: noMember },
    ],
  };

  it('leaves out the steps whose condition does not hold for the claims, with the condition that decided and never the value', () => {
    const arrived = journeyNext(
      interaction({ claims: { email_verified: true, member_number: 'M-4242' } }),
      { kind: 'arrived' },
      WHEN,
      NOW,
    );
    expect(arrived.action).toEqual({ kind: 'go-to-step' });
    expect(arrived.interaction.skipped).toEqual({
      'email-code': 'not(email_verified = true)',
      profile: 'member_number absent',
    });
    expect(JSON.stringify(arrived.interaction.skipped)).not.toContain('M-4242');
    // A token without the claims: not equal to true, and absent, so every step runs.
    expect(journeyNext(interaction(), { kind: 'arrived' }, WHEN, NOW).interaction.skipped).toBeUndefined();
  });

  it('records a skipped step as it reaches it, then goes on to the next step the plan runs', () => {
    const atCode = interaction({ cursor: 1, skipped: { 'email-code': 'not(email_verified = true)' } });
    const { interaction: after, action } = journeyNext(atCode, { kind: 'committed' }, WHEN, NOW);
    expect(action).toEqual({
      kind: 'commit',
      step: 'email-code',
      decision: 'skipped',
      evidence: { when: 'not(email_verified = true)' },
    });
    expect(after).toMatchObject({ cursor: 2, status: 'active', stepStartedAt: NOW });
    expect(journeyNext(after, { kind: 'committed' }, WHEN, NOW).action).toEqual({ kind: 'go-to-step' });
  });

  it('completes with the claims collected when the skipped steps were the last ones, and when every step is skipped', () => {
    const skipped = { 'email-code': 'not(email_verified = true)', profile: 'member_number absent' };
    const afterTerms = journeyNext(interaction({ skipped }), next({ a: 1 }), WHEN, NOW).interaction;
    const code = journeyNext(afterTerms, { kind: 'committed' }, WHEN, NOW);
    expect(code.action).toMatchObject({ decision: 'skipped', step: 'email-code' });
    const profile = journeyNext(code.interaction, { kind: 'committed' }, WHEN, NOW);
    expect(profile.action).toEqual({
      kind: 'commit',
      step: 'profile',
      decision: 'skipped',
      evidence: { when: 'member_number absent' },
      finish: { kind: 'success', claims: { a: 1 } },
    });
    expect(profile.interaction.status).toBe('completed');

    const all: JourneyPlan = { steps: WHEN.steps.map((step) => ({ ...step, when: noMember })) };
    const arrived = journeyNext(interaction({ claims: { member_number: 7 } }), { kind: 'arrived' }, all, NOW);
    expect(arrived.action).toEqual({
      kind: 'commit',
      step: 'terms',
      decision: 'skipped',
      evidence: { when: 'member_number absent' },
    });
    const second = journeyNext(arrived.interaction, { kind: 'committed' }, all, NOW);
    const last = journeyNext(second.interaction, { kind: 'committed' }, all, NOW);
    expect(last.action).toMatchObject({
      kind: 'commit',
      step: 'profile',
      decision: 'skipped',
      finish: { kind: 'success', claims: {} },
    });
  });

  it('records a skip it could not record before on the next visit or post, instead of showing or running the step', () => {
    const atCode = interaction({ cursor: 1, skipped: { 'email-code': 'not(email_verified = true)' } });
    for (const event of [{ kind: 'visited' }, { kind: 'posted' }] as const) {
      expect(journeyNext(atCode, event, WHEN, NOW).action).toEqual({
        kind: 'commit',
        step: 'email-code',
        decision: 'skipped',
        evidence: { when: 'not(email_verified = true)' },
      });
    }
  });

  it('goes on past a step another request recorded as skipped', () => {
    const skipped = journeyNext(
      interaction({ cursor: 1 }),
      { kind: 'decided-before', decision: 'skipped', completion: null },
      WHEN,
      NOW,
    );
    expect(skipped.interaction.cursor).toBe(2);
    expect(skipped.action).toEqual({ kind: 'commit', step: 'email-code', decision: null, evidence: null });
  });

  it('counts "Step n of m" among the steps the plan runs, and knows the last of them', () => {
    const ids = WHEN.steps.map((step) => step.id);
    expect(planProgress(interaction(), ids)).toEqual({ current: 1, total: 3, isLast: false });
    const skipped = { 'email-code': 'x' };
    expect(planProgress(interaction({ skipped }), ids)).toEqual({ current: 1, total: 2, isLast: false });
    expect(planProgress(interaction({ skipped, cursor: 2 }), ids)).toEqual({ current: 2, total: 2, isLast: true });
    expect(planProgress(interaction({ skipped: { 'email-code': 'x', profile: 'y' } }), ids)).toEqual({
      current: 1,
      total: 1,
      isLast: true,
    });
  });
});
