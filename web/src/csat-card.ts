import { css, html, nothing } from 'lit';
import type { TicketCsat } from './client.js';
import { COMPONENT_TEXTS, type CardStrings } from './catalogue.js';
import { exactTime, fill, formatNumber, langOf, MAX, relativeTime } from './i18n.js';
import { staticStars } from './styles.js';
import { TicketElement } from './ticket-element.js';

export type { CardStrings } from './catalogue.js';

/** The English texts (every language: catalogue.ts). */
export const CARD_STRINGS: CardStrings = COMPONENT_TEXTS.en.card;

export type CardState = 'loading' | 'empty' | 'rated' | 'error';

/**
 * `<csat-card ticket-id endpoint>`: the agent sidebar's amber "Customer feedback" card: stars, the comment,
 * "rated 3 hours ago" (the exact time in a tooltip). Nothing when the ticket has no rating (or the caller
 * may not see it).
 */
export class CsatCard extends TicketElement<CardStrings, CardState> {
  static override properties = {
    _now: { state: true },
    _tipDismissed: { state: true },
  };

  declare private _now: number;
  declare private _tipDismissed: boolean;
  private _timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super('card', 'empty');
    this._now = Date.now();
    this._tipDismissed = false;
  }

  static override styles = [
    super.styles,
    css`
      :host([state='empty']) {
        display: none;
      }
      .card {
        padding: 14px 16px;
        border: 1px solid var(--_amber-border);
        border-left: 4px solid var(--_amber);
        border-radius: var(--_radius);
        background: var(--_amber-soft);
      }
      h3 {
        margin: 0 0 8px;
        font-size: 0.95rem;
        font-weight: 650;
        color: var(--_amber-text);
      }
      .card {
        --_star-size: var(--csat-star-size, 20px);
      }
      .comment {
        margin: 8px 0 0;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .time {
        margin: 8px 0 0;
        font-size: 0.85rem;
        color: var(--_amber-text);
      }
      time {
        border-bottom: 1px dotted currentColor;
        cursor: help;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    // "3 hours ago" stays true while the card is open.
    this._timer = setInterval(() => (this._now = Date.now()), 30_000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this._timer);
  }

  protected override _show(ticket: TicketCsat | null): void {
    this._ticket = ticket;
    this._error = null;
    this._now = Date.now();
    this.state = ticket?.csatRating ? 'rated' : 'empty';
  }

  override render() {
    const s = this.s;
    if (this.state === 'error') return this._errorBox(() => this.reload());
    const t = this._ticket;
    if (this.state !== 'rated' || !t?.csatRating) return nothing;
    const lang = this.lang || langOf(this);
    const ratedAt = t.csatRatedAt ? new Date(t.csatRatedAt) : null;
    return html`<aside class="card" part="card" aria-labelledby="heading">
      <h3 id="heading" part="heading">${s.heading}</h3>
      ${staticStars(t.csatRating, fill(s.stars, { rating: formatNumber(lang, t.csatRating), max: formatNumber(lang, MAX) }))}
      ${t.csatComment ? html`<p class="comment" part="comment">${t.csatComment}</p>` : nothing}
      ${ratedAt
        ? html`<p class="time" part="time">
            <span
              class="tip ${this._tipDismissed ? 'dismissed' : ''}"
              @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && (this._tipDismissed = true)}
              @focusout=${() => (this._tipDismissed = false)}
              @mouseleave=${() => (this._tipDismissed = false)}
              ><time datetime=${t.csatRatedAt!} tabindex="0" aria-describedby="exact">${fill(s.rated, { time: relativeTime(lang, ratedAt, new Date(this._now)) })}</time
              ><span class="tooltip below" part="tooltip" role="tooltip" id="exact">${exactTime(lang, ratedAt)}</span></span
            >
          </p>`
        : nothing}
    </aside>`;
  }
}
