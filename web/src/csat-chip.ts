import { css, html, LitElement, nothing } from 'lit';
import { COMPONENT_TEXTS, languageOf, type ChipStrings } from './catalogue.js';
import { fill, formatNumber, langOf, MAX } from './i18n.js';
import { starIcon, tokens } from './styles.js';

export type { ChipStrings } from './catalogue.js';

/** The English texts (every language: catalogue.ts). */
export const CHIP_STRINGS: ChipStrings = COMPONENT_TEXTS.en.chip;

/**
 * `<csat-chip rating>`: the inbox row's small amber chip "★ 5", tooltip "Customer rating: 5 / 5" (on hover
 * and on keyboard focus; Escape hides it). No request: the inbox passes the rating it fetched with its
 * page. Nothing for a missing or invalid rating.
 */
export class CsatChip extends LitElement {
  static override properties = {
    rating: { type: Number, reflect: true },
    strings: { type: Object },
    lang: { reflect: true },
    _dismissed: { state: true },
  };

  declare rating: number | null;
  declare strings: Partial<ChipStrings> | null;
  declare private _dismissed: boolean;

  constructor() {
    super();
    this.rating = null;
    this.strings = null;
    this._dismissed = false;
  }

  static override styles = [
    tokens,
    css`
      :host {
        display: inline-block;
        vertical-align: middle;
      }
      .chip {
        display: inline-flex;
        align-items: center;
        gap: 3px;
        padding: 1px 8px 1px 6px;
        border: 1px solid var(--_amber-border);
        border-radius: 999px;
        background: var(--_amber-soft);
        color: var(--_amber-text);
        font-size: 0.8rem;
        font-weight: 650;
        line-height: 1.5;
        font-variant-numeric: tabular-nums;
        cursor: default;
      }
      .star svg {
        width: 0.95em;
        height: 0.95em;
      }
    `,
  ];

  private _valid(): number | null {
    const r = this.rating;
    return typeof r === 'number' && Number.isInteger(r) && r >= 1 && r <= MAX ? r : null;
  }

  override render() {
    const rating = this._valid();
    if (rating === null) return nothing;
    const lang = this.lang || langOf(this);
    const s = { ...COMPONENT_TEXTS[languageOf(lang)].chip, ...this.strings };
    const values = { rating: formatNumber(lang, rating), max: formatNumber(lang, MAX) };
    const tip = fill(s.tooltip, values);
    return html`<span
      class="tip ${this._dismissed ? 'dismissed' : ''}"
      @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (this._dismissed = true)}
      @focusout=${() => (this._dismissed = false)}
      @mouseleave=${() => (this._dismissed = false)}
      ><span class="chip" part="chip" tabindex="0" role="img" aria-label=${tip}
        ><span class="star lit" part="star">${starIcon()}</span><span aria-hidden="true">${fill(s.chip, values)}</span></span
      ><span class="tooltip" part="tooltip" aria-hidden="true">${tip}</span></span
    >`;
  }
}
