// csat-insights: the <csat-insights> dashboard, its own ES module (the prompt, card and chip are in index.ts).
// Importing this module defines the element.
import { CsatInsights } from './csat-insights.js';

export { CsatInsights, INSIGHTS_STRINGS, type InsightsState, type InsightsStrings } from './csat-insights.js';
export { INSIGHTS_TEXTS, LANGUAGES, languageOf, type Language } from './catalogue.js';
export { CsatError, type CsatErrorCode, type CsatFetch } from './client.js';

if (!customElements.get('csat-insights')) customElements.define('csat-insights', CsatInsights);

declare global {
  interface HTMLElementTagNameMap {
    'csat-insights': CsatInsights;
  }
}
