import { describe, expect, it } from 'vitest';
import { catalogues, LOCALES, translator } from '../../src/web/i18n.js';
import { en } from '../../src/web/messages/en.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  it('ships English and at least one other language', () => {
    expect(LOCALES).toContain('en');
    expect(LOCALES.length).toBeGreaterThanOrEqual(2);
  });

  for (const [locale, catalogue] of Object.entries(catalogues)) {
    it(`${locale} has exactly the English keys, so a missing translation fails here`, () => {
      const missing = Object.keys(en).filter((key) => !Object.hasOwn(catalogue, key));
      const extra = Object.keys(catalogue).filter((key) => !Object.hasOwn(en, key));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it(`${locale} uses the same placeholders as English and leaves nothing empty`, () => {
      for (const [key, text] of Object.entries(catalogue)) {
        expect(text.trim(), key).not.toBe('');
        expect(placeholders(text), key).toEqual(placeholders(en[key as keyof typeof en]));
      }
    });
  }

  it('fills placeholders and falls back to English for an unknown language', () => {
    expect(translator('fr')('step.progress', { current: 1, total: 2 })).toBe('Étape 1 sur 2');
    expect(translator('xx')('step.progress', { current: 1, total: 2 })).toBe('Step 1 of 2');
  });
});
