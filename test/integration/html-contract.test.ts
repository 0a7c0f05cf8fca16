import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG, loadHookConfig, type HookConfig } from '../../src/config/hook-config.js';
import { STEP_TYPES } from '../../src/interaction/steps/registry.js';
import { hookFixture, type HookFixture } from '../support/hook-fixture.js';

/**
 * The README's "HTML contract of the step pages", held against the page of every step type as the
 * shipped steps files configure it: one step form, where it posts, its hidden fields, and the
 * decision values the README names for that type.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const CLAIMS = { email: 'aroha@example.org', given_name: 'Aroha', family_name: 'Example', birthdate: '1990-01-31' };

/** One configured step of each type, from the shipped steps files (the first of its type met). */
function oneStepOfEachType(): Map<string, HookConfig> {
  const files = [
    DEFAULT_HOOK_CONFIG,
    ...readdirSync(path.join(ROOT, 'content/examples')).map((f) => path.join(ROOT, 'content/examples', f)),
  ];
  const byType = new Map<string, HookConfig>();
  for (const file of files) {
    const loaded = loadHookConfig(file, {
      types: STEP_TYPES,
      env: { STEP_UP_CLIENT_SECRET: 'a-secret-for-the-contract-test' },
    });
    if (!loaded.ok) throw new Error(loaded.errors.join('; '));
    for (const step of loaded.config.steps)
      if (!byType.has(step.type)) byType.set(step.type, { ...loaded.config, steps: [step] });
  }
  return byType;
}

/** The README's bullet for a step type: "- `<type>`: …" up to the next bullet. */
function contractOf(type: string): string {
  const start = README.indexOf(`- \`${type}\`:`);
  if (start < 0) return '';
  const end = README.indexOf('\n- ', start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

interface StepForm {
  count: number;
  tag: string;
  body: string;
  decisions: string[];
}

function stepFormOf(html: string): StepForm {
  const tags = [...html.matchAll(/<form\b[^>]*>/g)].map(([tag]) => tag);
  const stepForms = tags.filter((tag) => /\bid="step-form"/.test(tag));
  const tag = stepForms[0] ?? '';
  const body = tag === '' ? '' : html.slice(html.indexOf(tag), html.indexOf('</form>', html.indexOf(tag)));
  // Its own buttons, and those elsewhere on the page that name it (form="step-form").
  const buttons = [
    ...body.matchAll(/<button\b[^>]*>/g),
    ...html.matchAll(/<button\b[^>]*\bform="step-form"[^>]*>/g),
  ].map(([button]) => button);
  const decisions = buttons.flatMap((button) =>
    /\bname="decision"/.test(button) ? [/\bvalue="([^"]+)"/.exec(button)?.[1] ?? ''] : [],
  );
  return { count: stepForms.length, tag, body, decisions: [...new Set(decisions)] };
}

let hook: HookFixture | undefined;
afterEach(async () => {
  await hook?.close();
  hook = undefined;
});

/** The first page of a journey through `config`, for a token with these claims (and `sub`, unless null). */
async function firstPage(
  config: HookConfig,
  claims: Record<string, unknown>,
  sub: string | null = 'subject-1',
): Promise<{ html: string; path: string }> {
  hook = await hookFixture({}, config);
  const browser = hook.browser();
  const { token } = await hook.mint({ claims, ...(sub === null ? {} : { payload: { sub } }) });
  const location = (await browser.get(`/callback?session_token=${token}`)).headers.location!;
  const page = await browser.get(location);
  expect(page.status).toBe(200);
  return { html: page.text, path: location };
}

const steps = oneStepOfEachType();

describe('the HTML contract of the step pages', () => {
  it('covers every step type the registry has', () => {
    expect([...steps.keys()].sort()).toEqual(STEP_TYPES.map((t) => t.type).sort());
  });

  // The first page of each type, and the pages that say a step cannot go on.
  const cases: Array<[string, string, Record<string, unknown>, string | null]> = [
    ...[...steps.keys()].map((type): [string, string, Record<string, unknown>, string | null] => [
      type,
      'its first page',
      CLAIMS,
      'subject-1',
    ]),
    ['email-code', 'with no address to send to', { given_name: 'Aroha' }, 'subject-1'],
    ['passkey', 'with no subject', CLAIMS, null],
  ];

  it.each(cases)(
    '%s, %s: one step form posting to the interaction, with _csrf, step and the decisions the README names',
    async (type, _what, claims, sub) => {
      const { html, path: pagePath } = await firstPage(steps.get(type)!, claims, sub);
      const form = stepFormOf(html);
      expect(form.count).toBe(1);
      expect(form.tag).toMatch(/\bmethod="post"/);
      expect(form.tag).toContain(`action="${pagePath}"`);
      expect(form.body).toMatch(/<input type="hidden" name="_csrf" value="[^"]+">/);
      expect(form.body).toContain(`<input type="hidden" name="step" value="${steps.get(type)!.steps[0]!.id}">`);
      expect(form.decisions.length).toBeGreaterThan(0);
      const contract = contractOf(type);
      expect(contract, `the README has a bullet for ${type}`).not.toBe('');
      expect(form.decisions.filter((value) => !contract.includes(`\`${value}\``))).toEqual([]);
    },
  );
});
