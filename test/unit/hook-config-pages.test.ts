import { configOf } from '../../src/interaction/steps/configured-step.js';
import { termsStepType } from '../../src/interaction/steps/terms/index.js';
import { profileStepType } from '../../src/interaction/steps/profile/index.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_HOOK_CONFIG, loadHookConfig } from '../../src/config/hook-config.js';
import { MAX_LOGO_BYTES } from '../../src/config/logo-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hook-config-'));
  writeFileSync(path.join(dir, 'terms.txt'), 'The terms.');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const terms = { type: 'terms', version: '1', documents: { en: 'terms.txt' } };
function load(config: unknown) {
  const file = path.join(dir, 'hook.config.json');
  writeFileSync(file, JSON.stringify(config));
  return loadHookConfig(file);
}
function problems(config: unknown): string {
  const result = load(config);
  if (result.ok) throw new Error('expected the file to be refused');
  return result.errors.join('\n');
}

describe('the shipped steps files', () => {
  it('load, with branding, French terms and the profile example', () => {
    const sample = loadHookConfig(DEFAULT_HOOK_CONFIG);
    expect(sample.ok && sample.config.issuer).toMatchObject({
      primaryColor: '#0b5394',
      logo: { contentType: 'image/svg+xml' },
    });
    expect(sample.ok && Object.keys(configOf(sample.config.steps[0], termsStepType)?.documents ?? {})).toEqual([
      'en',
      'fr',
    ]);
    const example = loadHookConfig(
      path.join(path.dirname(DEFAULT_HOOK_CONFIG), 'examples/terms-and-profile.config.json'),
    );
    expect(example.ok && example.config.steps.map((s) => s.type)).toEqual(['terms', 'profile']);
  });
});

describe('the profile step in the steps file', () => {
  it('accepts every field type and fills in defaults', () => {
    const result = load({
      steps: [
        terms,
        {
          type: 'profile',
          fields: [
            { type: 'text', claim: 'nickname', label: 'Nickname' },
            { type: 'email', claim: 'email', label: { en: 'Email', fr: 'E-mail' }, required: true },
            { type: 'phone', claim: 'phone_number', label: 'Phone' },
            { type: 'date', claim: 'birthdate', label: 'Born', min: '1900-01-01' },
            { type: 'select', claim: 'region', label: 'Region', options: [{ value: 'n', label: 'North' }] },
            { type: 'checkbox', claim: 'news', label: 'News' },
          ],
        },
      ],
    });
    expect(result.ok).toBe(true);
    const profile = result.ok ? result.config.steps[1] : undefined;
    expect(configOf(profile, profileStepType)?.fields[0]).toMatchObject({ maxLength: 100, required: false });
  });

  it('names each broken rule with its place in the file', () => {
    const message = problems({
      steps: [
        {
          type: 'profile',
          fields: [
            { type: 'text', claim: 'bad name', label: 'A' },
            { type: 'text', claim: 'ok', label: '', pattern: '(' },
            { type: 'date', claim: 'd', label: 'D', min: '2020-02-30' },
            { type: 'color', claim: 'c', label: 'C' },
          ],
        },
      ],
    });
    expect(message).toMatch(/steps\.0\.fields\.0\.claim: a claim name is letters/);
    expect(message).toMatch(/steps\.0\.fields\.1\.label: /);
    expect(message).toMatch(/steps\.0\.fields\.1\.pattern: not a valid regular expression/);
    expect(message).toMatch(/steps\.0\.fields\.2\.min: not a real calendar date/);
    expect(message).toMatch(/steps\.0\.fields\.3/);
  });

  it("refuses a field whose claim is a name the step's form uses itself", () => {
    for (const claim of ['step', 'decision']) {
      expect(problems({ steps: [{ type: 'profile', fields: [{ type: 'text', claim, label: 'X' }] }] })).toMatch(
        /steps\.0\.fields: a field's claim may not be "step" or "decision"/,
      );
    }
    expect(load({ steps: [{ type: 'profile', fields: [{ type: 'text', claim: 'steps', label: 'X' }] }] }).ok).toBe(
      true,
    );
  });

  it('refuses one claim collected twice, in one step or across steps', () => {
    const field = { type: 'text', claim: 'nickname', label: 'Nickname' };
    expect(problems({ steps: [{ type: 'profile', fields: [field, field] }] })).toMatch(/two fields use the same claim/);
    expect(
      problems({
        steps: [
          { type: 'profile', fields: [field] },
          { type: 'profile', id: 'more', fields: [field] },
        ],
      }),
    ).toMatch(/steps\.1: the claim "nickname" is also collected by step "profile"/);
  });
});

describe('branding in the steps file', () => {
  it('refuses a primary colour white text cannot be read on, with the ratio', () => {
    expect(problems({ issuer: { name: 'X', primaryColor: '#ffcc00' }, steps: [terms] })).toMatch(
      /issuer\.primaryColor: white text on #ffcc00 has a contrast of 1\.\d\d:1/,
    );
    expect(problems({ issuer: { name: 'X', primaryColor: 'blue' }, steps: [terms] })).toMatch(
      /issuer\.primaryColor: a colour is written #rrggbb/,
    );
  });

  it('reads a logo by its content and refuses what is not an image or too big', () => {
    writeFileSync(
      path.join(dir, 'logo.png'),
      Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(10)]),
    );
    writeFileSync(
      path.join(dir, 'logo.svg.txt'),
      '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>',
    );
    writeFileSync(path.join(dir, 'not-a-logo.png'), '<html>hello</html>');
    writeFileSync(path.join(dir, 'huge.png'), Buffer.alloc(MAX_LOGO_BYTES + 1));
    const png = load({ issuer: { name: 'X', logo: 'logo.png' }, steps: [terms] });
    expect(png.ok && png.config.issuer.logo?.contentType).toBe('image/png');
    const svg = load({ issuer: { name: 'X', logo: 'logo.svg.txt' }, steps: [terms] });
    expect(svg.ok && svg.config.issuer.logo?.contentType).toBe('image/svg+xml');
    expect(problems({ issuer: { name: 'X', logo: 'not-a-logo.png' }, steps: [terms] })).toMatch(
      /issuer\.logo: .* is not a PNG, JPEG, WebP or SVG image/,
    );
    expect(problems({ issuer: { name: 'X', logo: 'huge.png' }, steps: [terms] })).toMatch(
      /a logo may be at most 100 KB/,
    );
    expect(problems({ issuer: { name: 'X', logo: 'missing.png' }, steps: [terms] })).toMatch(
      /issuer\.logo: cannot read/,
    );
  });
});
