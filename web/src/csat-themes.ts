// The themes list of <csat-insights> (issue 22 item 3): what unhappy customers keep saying, from
// csatCommentThemes in the dashboard's one request. Its own file (texts, query field, styles, view) so the
// dashboard includes it with three small edits; the texts of the four languages are here, beside catalogue.ts's.
import { css, html } from 'lit';
import { fill } from './i18n.js';
import type { Language } from './catalogue.js';

/** One term of csatCommentThemes (docs/insights.md, Themes). */
export interface Theme {
  term: string;
  zScore: number;
  unhappyComments: number;
  happyComments: number;
  exampleTicketIds: string[];
}

/** The dashboard's field: the same filter as the tiles (period and agents), the first 8 terms. */
export const THEMES_FIELD = 'themes: csatCommentThemes(filter: $filter, first: 8) { term zScore unhappyComments happyComments exampleTicketIds }';

export interface ThemesStrings {
  themesHeading: string;
  themesHint: string;
  themesEmpty: string;
  /** The bar's accessible text: {z}. */
  themesScore: string;
  /** {unhappy}, {happy}: comments holding the term in each group. */
  themesCounts: string;
  /** An example's link text: {n}; its label: {n}, {term}. */
  themesExample: string;
  themesExampleLabel: string;
}

export const THEMES_TEXTS: Record<Language, ThemesStrings> = {
  en: {
    themesHeading: 'What unhappy customers keep saying',
    themesHint: 'Words much more frequent in 1-2 star comments than in 4-5 star ones; the bar is the z-score.',
    themesEmpty: 'No word stands out in this period.',
    themesScore: 'z-score {z}',
    themesCounts: '{unhappy} unhappy · {happy} happy comments',
    themesExample: 'Example {n}',
    themesExampleLabel: 'Open example {n} for “{term}”',
  },
  de: {
    themesHeading: 'Was unzufriedene Kunden immer wieder schreiben',
    themesHint: 'Wörter, die in Kommentaren mit 1-2 Sternen viel häufiger sind als in solchen mit 4-5 Sternen; der Balken ist der z-Wert.',
    themesEmpty: 'In diesem Zeitraum sticht kein Wort hervor.',
    themesScore: 'z-Wert {z}',
    themesCounts: '{unhappy} unzufriedene · {happy} zufriedene Kommentare',
    themesExample: 'Beispiel {n}',
    themesExampleLabel: 'Beispiel {n} zu „{term}“ öffnen',
  },
  fr: {
    themesHeading: 'Ce que les clients mécontents répètent',
    themesHint: 'Mots bien plus fréquents dans les commentaires à 1-2 étoiles que dans ceux à 4-5 étoiles ; la barre est le score z.',
    themesEmpty: 'Aucun mot ne ressort pendant cette période.',
    themesScore: 'score z {z}',
    themesCounts: '{unhappy} mécontents · {happy} satisfaits',
    themesExample: 'Exemple {n}',
    themesExampleLabel: 'Ouvrir l’exemple {n} pour « {term} »',
  },
  es: {
    themesHeading: 'Lo que repiten los clientes descontentos',
    themesHint: 'Palabras mucho más frecuentes en comentarios de 1-2 estrellas que en los de 4-5; la barra es la puntuación z.',
    themesEmpty: 'Ninguna palabra destaca en este periodo.',
    themesScore: 'puntuación z {z}',
    themesCounts: '{unhappy} descontentos · {happy} satisfechos',
    themesExample: 'Ejemplo {n}',
    themesExampleLabel: 'Abrir el ejemplo {n} de «{term}»',
  },
};

export const themesStyles = css`
  ol.themes {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .themes li {
    display: grid;
    grid-template-columns: minmax(5em, auto) 1fr;
    gap: 2px 10px;
    align-items: center;
    padding: 6px 0;
    border-bottom: 1px solid var(--_border);
    font-size: 0.9rem;
  }
  .themes .term {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .themes .z {
    display: grid;
    grid-template-columns: 1fr 2.5em;
    align-items: center;
    gap: 6px;
    font-variant-numeric: tabular-nums;
    font-size: 0.8rem;
  }
  .themes .z-track {
    display: block;
  }
  .themes .z-bar {
    display: block;
    height: 10px;
    border-radius: 5px;
    background: var(--_amber-strong);
  }
  .themes .meta {
    grid-column: 1 / -1;
    margin: 0;
    font-size: 0.8rem;
    color: var(--_muted);
  }
  .themes a {
    color: var(--_focus);
  }
`;

export interface ThemesView {
  s: ThemesStrings;
  /** A ticket's link (`ticket-href` with its id), or null without one. */
  href: (id: string) => string | null;
  /** Numbers for the language: a count, and a z-score with one decimal. */
  count: (n: number) => string;
  score: (z: number) => string;
}

/** The list: each term with its z-score as a bar (scaled to the first, the largest), counts and linked examples. */
export function themesSection(themes: Theme[], v: ThemesView) {
  const { s } = v;
  const max = Math.max(...themes.map((t) => t.zScore), 1);
  return html`<section part="themes" aria-labelledby="themes-h">
    <h3 id="themes-h">${s.themesHeading}</h3>
    <p class="hint">${s.themesHint}</p>
    ${themes.length
      ? html`<ol class="themes">
          ${themes.map((t) => {
            const z = v.score(t.zScore);
            const links = t.exampleTicketIds.map((id, i) => ({ n: v.count(i + 1), link: v.href(id) })).filter((e) => e.link);
            return html`<li part="theme">
              <span class="term" part="theme-term" translate="no">${t.term}</span>
              <span class="z" role="img" aria-label=${fill(s.themesScore, { z })}
                ><span class="z-track" aria-hidden="true"
                  ><span class="z-bar" part="theme-bar" style="width: ${Math.max(4, Math.round((t.zScore / max) * 100))}%"></span></span
                ><span aria-hidden="true">${z}</span></span
              >
              <p class="meta">
                ${fill(s.themesCounts, { unhappy: v.count(t.unhappyComments), happy: v.count(t.happyComments) })}
                ${links.map(
                  (e) => html` · <a part="theme-example" href=${e.link!} aria-label=${fill(s.themesExampleLabel, { n: e.n, term: t.term })}>${fill(s.themesExample, { n: e.n })}</a>`,
                )}
              </p>
            </li>`;
          })}
        </ol>`
      : html`<p class="hint" part="themes-empty">${s.themesEmpty}</p>`}
  </section>`;
}
