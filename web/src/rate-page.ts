// csat-rate-page: the rating link's page enhancer (<csat-rate-page>), its own small ES module with no Lit, served by
// the service itself (src/rating-links/link.script.ts). Importing this module defines the element.
import { CsatRatePage } from './csat-rate-page.js';

export { CsatRatePage, type RatePageOutcome } from './csat-rate-page.js';

if (!customElements.get('csat-rate-page')) customElements.define('csat-rate-page', CsatRatePage);

declare global {
  interface HTMLElementTagNameMap {
    'csat-rate-page': CsatRatePage;
  }
}
