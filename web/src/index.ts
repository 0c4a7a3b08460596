// csat-components: <csat-prompt>, <csat-card>, <csat-chip>. Importing this module defines the three elements.
import { CsatCard } from './csat-card.js';
import { CsatChip } from './csat-chip.js';
import { CsatPrompt } from './csat-prompt.js';

export { CsatCard, CARD_STRINGS, type CardState, type CardStrings } from './csat-card.js';
export { CsatChip, CHIP_STRINGS, type ChipStrings } from './csat-chip.js';
export { CsatPrompt, PROMPT_STRINGS, type PromptState, type PromptStrings } from './csat-prompt.js';
export { COMPONENT_TEXTS, LANGUAGES, languageOf, type Language } from './catalogue.js';
export { CsatError, RATE_MUTATION, TICKET_QUERY, type CsatErrorCode, type CsatFetch, type TicketCsat } from './client.js';

const elements: [string, CustomElementConstructor][] = [
  ['csat-prompt', CsatPrompt],
  ['csat-card', CsatCard],
  ['csat-chip', CsatChip],
];
for (const [name, element] of elements) if (!customElements.get(name)) customElements.define(name, element);

declare global {
  interface HTMLElementTagNameMap {
    'csat-prompt': CsatPrompt;
    'csat-card': CsatCard;
    'csat-chip': CsatChip;
  }
}
