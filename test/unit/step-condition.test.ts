import { describe, expect, it } from 'vitest';
import {
  conditionClaims,
  conditionHolds,
  describeCondition,
  parseStepCondition,
  type StepCondition,
} from '../../src/interaction/step-condition.js';

const AT = 'HOOK_CONFIG hook.json: steps.1.when';

function parsed(raw: unknown): StepCondition {
  const result = parseStepCondition(raw, AT);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.condition;
}

function problems(raw: unknown): string[] {
  const result = parseStepCondition(raw, AT);
  expect(result.ok).toBe(false);
  return result.ok ? [] : result.problems;
}

describe('a step condition (when)', () => {
  it('compares a claim with equals, in, present and absent', () => {
    const verified = parsed({ claim: 'email_verified', equals: true });
    expect(conditionHolds(verified, { email_verified: true })).toBe(true);
    expect(conditionHolds(verified, { email_verified: 'true' })).toBe(false);
    expect(conditionHolds(verified, {})).toBe(false);

    const acr = parsed({ claim: 'acr', in: ['loa2', 'loa3'] });
    expect(conditionHolds(acr, { acr: 'loa3' })).toBe(true);
    expect(conditionHolds(acr, { acr: 'loa1' })).toBe(false);
    expect(conditionHolds(acr, {})).toBe(false);

    const present = parsed({ claim: 'member_number', present: true });
    const absent = parsed({ claim: 'member_number', absent: true });
    for (const [claims, has] of [
      [{ member_number: 'M-1' }, true],
      [{ member_number: 0 }, true],
      [{ member_number: null }, false],
      [{}, false],
    ] as const) {
      expect(conditionHolds(present, claims)).toBe(has);
      expect(conditionHolds(absent, claims)).toBe(!has);
    }
  });

  it('combines conditions with not, all and any', () => {
    const notVerified = parsed({ not: { claim: 'email_verified', equals: true } });
    expect(conditionHolds(notVerified, {})).toBe(true);
    expect(conditionHolds(notVerified, { email_verified: false })).toBe(true);
    expect(conditionHolds(notVerified, { email_verified: true })).toBe(false);

    const both = parsed({
      all: [
        { claim: 'a', present: true },
        { claim: 'b', equals: 2 },
      ],
    });
    expect(conditionHolds(both, { a: 'x', b: 2 })).toBe(true);
    expect(conditionHolds(both, { a: 'x', b: 3 })).toBe(false);

    const either = parsed({
      any: [
        { claim: 'a', present: true },
        { claim: 'b', equals: 2 },
      ],
    });
    expect(conditionHolds(either, { b: 2 })).toBe(true);
    expect(conditionHolds(either, { b: 3 })).toBe(false);
  });

  it('does not read a claim through the prototype', () => {
    expect(conditionHolds(parsed({ claim: 'constructor', present: true }), {})).toBe(false);
  });

  it('lists every claim it reads, once', () => {
    const condition = parsed({
      any: [
        { claim: 'acr', in: ['x'] },
        { not: { claim: 'email_verified', equals: true } },
        { all: [{ claim: 'acr', present: true }] },
      ],
    });
    expect(conditionClaims(condition).sort()).toEqual(['acr', 'email_verified']);
  });

  it('describes the rule, never a claim value', () => {
    const condition = parsed({
      all: [
        { not: { claim: 'email_verified', equals: true } },
        { claim: 'acr', in: ['loa2', 3] },
        { claim: 'member_number', absent: true },
      ],
    });
    expect(describeCondition(condition)).toBe(
      'all(not(email_verified = true), acr in ["loa2", 3], member_number absent)',
    );
  });

  it('names an unknown operator and where it is', () => {
    expect(problems({ claim: 'email_verified', equal: true })).toEqual([
      expect.stringMatching(/^HOOK_CONFIG hook\.json: steps\.1\.when: unknown operator "equal"; write /),
    ]);
    expect(
      problems({
        not: {
          all: [
            { claim: 'a', present: true },
            { claim: 'b', matches: 'x' },
          ],
        },
      }),
    ).toEqual([
      expect.stringMatching(/^HOOK_CONFIG hook\.json: steps\.1\.when\.not\.all\.1: unknown operator "matches"/),
    ]);
    expect(problems({ claim: 'a' })[0]).toMatch(/steps\.1\.when: no operator/);
  });

  it('refuses a wrong type with a sentence that names it', () => {
    expect(problems({ claim: 'a', present: false })[0]).toBe(`${AT}.present: "present" is written true`);
    expect(problems({ claim: 'a', in: 'x' })[0]).toMatch(/steps\.1\.when\.in: /);
    expect(problems({ claim: 'a', in: [] })[0]).toBe(`${AT}.in: "in" lists at least one value`);
    expect(problems({ claim: 'a', equals: { nested: 1 } })[0]).toBe(
      `${AT}.equals: a value to compare is a string, a number or true/false`,
    );
    expect(problems({ claim: 'no spaces', equals: 1 })[0]).toMatch(/steps\.1\.when\.claim: a claim name is/);
    expect(problems({ claim: 'a', equals: 1, in: [1] })[0]).toMatch(
      /one operator per condition, not "equals" and "in"/,
    );
    expect(problems({ claim: 'a', equals: 1, because: 'x' })[0]).toMatch(/steps\.1\.when: .*"because"/);
    expect(problems({ all: [] })[0]).toBe(`${AT}.all: a non-empty list of conditions`);
    expect(problems({ not: { claim: 'a', present: true }, claim: 'b' })[0]).toMatch(
      /"not" stands alone in its object; unexpected "claim"/,
    );
    expect(problems('email_verified')[0]).toMatch(/steps\.1\.when: a condition is an object/);
  });

  it('refuses a condition nested without end', () => {
    let deep: unknown = { claim: 'a', present: true };
    for (let i = 0; i < 20; i++) deep = { not: deep };
    expect(problems(deep)[0]).toMatch(/nest at most 8 deep/);
  });
});
