// The texts of the web components (web/src/catalogue.ts), without a browser: every key of every component in
// every language, the same {placeholders} as the English text, and no text left in English where the language
// has its own word (test/web.insights.browser.test.ts checks the rendered components too).
import { describe, expect, it } from 'vitest';
import { CATALOGUES, catalogueFor, COMPONENT_TEXTS, INSIGHTS_TEXTS, LANGUAGES, languageOf } from '../web/src/catalogue.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
// The same in English and the language, on purpose: a placeholder alone, a term (CSAT), a dash, a cognate.
const SAME_ON_PURPOSE: Record<string, string[]> = {
  de: ['{count} / {max}', '{rating}', 'CSAT', '–'],
  fr: ['{count} / {max}', '{rating}', 'CSAT', '–', 'Agents', 'Agent {id}'],
  es: ['{count} / {max}', '{rating}', 'CSAT', '–'],
};

describe('the catalogue', () => {
  const components = Object.keys(CATALOGUES.en) as (keyof typeof CATALOGUES.en)[];
  it('has the prompt, the card, the chip and the dashboard in English, German, French and Spanish', () => {
    expect(LANGUAGES).toEqual(['en', 'de', 'fr', 'es']);
    expect(components).toEqual(['prompt', 'card', 'chip', 'insights']);
    for (const lang of LANGUAGES) expect(CATALOGUES[lang].insights).toBe(INSIGHTS_TEXTS[lang]);
    for (const lang of LANGUAGES) expect(CATALOGUES[lang].prompt).toBe(COMPONENT_TEXTS[lang].prompt);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('%s: every key of every component, non-empty, with the English placeholders, none left in English', (lang) => {
    for (const component of components) {
      const en = CATALOGUES.en[component] as unknown as Record<string, string>;
      const other = CATALOGUES[lang][component] as unknown as Record<string, string>;
      expect(Object.keys(other).sort(), `${lang}.${component}`).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en)) {
        expect(other[key]!.trim().length, `${lang}.${component}.${key}`).toBeGreaterThan(0);
        expect(placeholders(other[key]!), `${lang}.${component}.${key}`).toEqual(placeholders(en[key]!));
        if (other[key] === en[key]) expect(SAME_ON_PURPOSE[lang], `${lang}.${component}.${key} is still English: ${en[key]}`).toContain(en[key]);
      }
    }
  });

  it('picks the language of a BCP 47 tag, English for anything else', () => {
    expect(languageOf('de-CH')).toBe('de');
    expect(languageOf('fr')).toBe('fr');
    expect(languageOf('es_MX')).toBe('es');
    expect(languageOf('EN-gb')).toBe('en');
    for (const other of ['pt-BR', '', null, undefined, 'constructor', '__proto__']) expect(catalogueFor(other)).toBe(CATALOGUES.en);
  });
});
