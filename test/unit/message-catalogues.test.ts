import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STEP_TYPES } from '../../src/interaction/steps/registry.js';
import { catalogues, LOCALES, translator, withMessages, type Catalogues } from '../../src/web/i18n.js';

/** The placeholders of a text as `translator` fills them: `{name}`. */
const placeholders = (text: string) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

/** Every set of words the hook ships: the pages' own, and each registered step type's. */
const OWNERS: ReadonlyArray<{ owner: string; messages: Catalogues }> = [
  { owner: 'pages', messages: catalogues },
  ...STEP_TYPES.map((type) => ({ owner: `step type "${type.type}"`, messages: type.messages })),
];

/**
 * What differs from English in `messages`, one sentence per problem naming the owner, the
 * language and the key: a language missing or extra, a key missing or extra, a placeholder not
 * the same, a text left empty.
 */
function parityProblems(owner: string, messages: Catalogues): string[] {
  const english = messages.en;
  if (english === undefined) return [`${owner}: has no English messages`];
  const problems: string[] = [];
  for (const lang of LOCALES) if (!Object.hasOwn(messages, lang)) problems.push(`${owner}: has no messages in ${lang}`);
  for (const [lang, texts] of Object.entries(messages)) {
    if (!LOCALES.includes(lang)) problems.push(`${owner}: has messages in ${lang}, a language the pages do not speak`);
    for (const key of Object.keys(english))
      if (!Object.hasOwn(texts, key)) problems.push(`${owner}: ${lang} lacks the key "${key}"`);
    for (const [key, text] of Object.entries(texts)) {
      const reference = english[key];
      if (reference === undefined) {
        problems.push(`${owner}: ${lang} has the key "${key}", which English has not`);
        continue;
      }
      if (text.trim() === '') problems.push(`${owner}: ${lang} leaves "${key}" empty`);
      const [theirs, ours] = [placeholders(text), placeholders(reference)];
      if (theirs.join() !== ours.join())
        problems.push(
          `${owner}: ${lang} "${key}" has the placeholders {${theirs.join('}, {')}} where English has {${ours.join('}, {')}}`,
        );
    }
  }
  return problems;
}

describe('message catalogues', () => {
  it('ships English and at least one other language', () => {
    expect(LOCALES).toContain('en');
    expect(LOCALES.length).toBeGreaterThanOrEqual(2);
  });

  it('covers every registered step type', () => {
    expect(OWNERS.map((o) => o.owner)).toEqual(['pages', ...STEP_TYPES.map((type) => `step type "${type.type}"`)]);
    expect(STEP_TYPES.length).toBeGreaterThanOrEqual(7);
  });

  for (const { owner, messages } of OWNERS) {
    it(`${owner}: every language has exactly the English keys, with the same placeholders, none empty`, () => {
      expect(parityProblems(owner, messages)).toEqual([]);
    });
  }

  it('names the type, the language and the key of a missing key, an extra key and a changed placeholder', () => {
    const broken = {
      en: { 'x.greeting': 'Hello {name}', 'x.title': 'Title' },
      fr: { 'x.greeting': 'Bonjour {nom}', 'x.extra': 'En trop' },
    };
    expect(parityProblems('step type "x"', broken)).toEqual([
      'step type "x": fr lacks the key "x.title"',
      'step type "x": fr "x.greeting" has the placeholders {nom} where English has {name}',
      'step type "x": fr has the key "x.extra", which English has not',
    ]);
    expect(parityProblems('step type "y"', { en: { 'y.a': 'A' } })).toEqual(['step type "y": has no messages in fr']);
  });

  it('no two step types, nor a type and the pages, define the same key: one would hide the other', () => {
    const owners = new Map<string, string[]>();
    for (const { owner, messages } of OWNERS)
      for (const key of Object.keys(messages.en ?? {})) owners.set(key, [...(owners.get(key) ?? []), owner]);
    expect([...owners].filter(([, by]) => by.length > 1)).toEqual([]);
  });

  it('names in each template only keys its step type or the pages have: a template is not type-checked', () => {
    const keysOf = (messages: Catalogues) => Object.keys(messages.en ?? {});
    const everyKey = new Set(OWNERS.flatMap((o) => keysOf(o.messages)));
    const prefixes = [...new Set([...everyKey].map((key) => key.split('.')[0]))].join('|');
    // A quoted string that starts like some message key does: 'terms.title', 'emailCode.noAddress.end'.
    const named = (template: string) =>
      [...template.matchAll(new RegExp(`'((?:${prefixes})\\.[\\w.-]+)'`, 'g'))].map((m) => m[1]!);
    const views = path.resolve('views');
    const unknown: string[] = [];
    for (const file of readdirSync(views, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ejs'))) {
      const type = STEP_TYPES.find((t) => file === path.join('steps', `${t.type}.ejs`));
      const known = type === undefined ? everyKey : new Set([...keysOf(catalogues), ...keysOf(type.messages)]);
      for (const key of named(readFileSync(path.join(views, file), 'utf8')))
        if (!known.has(key)) unknown.push(`views/${file}: "${key}"`);
    }
    expect(unknown).toEqual([]);
    expect(named("t('terms.title') t('terms.titel')")).toEqual(['terms.title', 'terms.titel']);
  });

  it('fills placeholders and falls back to English for an unknown language', () => {
    expect(translator('fr')('step.progress', { current: 1, total: 2 })).toBe('Étape 1 sur 2');
    expect(translator('xx')('step.progress', { current: 1, total: 2 })).toBe('Step 1 of 2');
  });

  it("finds a step type's words beside the pages' own, in the page's language", () => {
    const merged = withMessages(...STEP_TYPES.map((type) => type.messages));
    expect(translator('fr', merged)('terms.version', { version: '2' })).toBe('Version 2');
    expect(translator('fr', merged)('terms.accept')).toBe('Accepter et continuer');
    expect(translator('fr', merged)('step.progress', { current: 1, total: 2 })).toBe('Étape 1 sur 2');
  });
});
