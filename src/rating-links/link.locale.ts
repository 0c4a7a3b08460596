import { LANGUAGES, type Language } from '../../web/src/catalogue.js';

/** The page's language: the link's own, else the browser's first supported one by Accept-Language's weights, else English. */
export function pageLanguage(linkLocale: string | undefined, acceptLanguage: string | undefined): Language {
  if (linkLocale && (LANGUAGES as readonly string[]).includes(linkLocale)) return linkLocale as Language;
  if (!acceptLanguage) return 'en';
  const ranked = acceptLanguage
    .slice(0, 500)
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((x) => /^\s*q=([0-9.]+)\s*$/.exec(x)?.[1]).find((x) => x !== undefined);
      return { lang: (tag ?? '').trim().toLowerCase().split('-')[0]!, q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0 && (LANGUAGES as readonly string[]).includes(x.lang))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked[0]?.lang as Language | undefined) ?? 'en';
}
