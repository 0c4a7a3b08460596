import { css, html, nothing, type PropertyValues } from 'lit';
import { graphql, RATE_MUTATION, ticketOf, type TicketCsat } from './client.js';
import { COMPONENT_TEXTS, type PromptStrings } from './catalogue.js';
import { codePoints, COMMENT_MAX, fill, formatNumber, langOf, MAX, normaliseComment } from './i18n.js';
import { starIcon, staticStars } from './styles.js';
import { TicketElement } from './ticket-element.js';

export type { PromptStrings } from './catalogue.js';

/** The English texts (every language: catalogue.ts). */
export const PROMPT_STRINGS: PromptStrings = COMPONENT_TEXTS.en.prompt;

/**
 * What the panel shows: nothing while loading and when there is nothing to rate nor to show (no nag);
 * the prompt; the read-only panel; or a load error with a retry.
 */
export type PromptState = 'loading' | 'hidden' | 'prompt' | 'done' | 'error';

/**
 * `<csat-prompt ticket-id endpoint>`: the portal's "How did we do?" panel. Reads the ticket through
 * `csatTicket` (or the host's `query`), rates it with `rateTicket`. Events: `csat-rated` (detail: the
 * ticket as stored), `csat-error` (detail: { code, message }).
 */
export class CsatPrompt extends TicketElement<PromptStrings, PromptState> {
  static override properties = {
    _hover: { state: true },
    _focus: { state: true },
    _rating: { state: true },
    _comment: { state: true },
    _submitting: { state: true },
  };

  declare private _hover: number;
  declare private _focus: number;
  declare private _rating: number;
  declare private _comment: string;
  declare private _submitting: boolean;
  /** Set at the click, before any render: a double click never sends two mutations. */
  private _sending = false;

  constructor() {
    super('prompt', 'hidden');
    this._hover = 0;
    this._focus = 1;
    this._rating = 0;
    this._comment = '';
    this._submitting = false;
  }

  static override styles = [
    super.styles,
    css`
      :host([state='hidden']) {
        display: none;
      }
      .panel {
        padding: 20px 24px;
        border: 1px solid var(--_border);
        border-radius: var(--_radius);
        background: var(--_surface);
      }
      h2 {
        margin: 0 0 4px;
        font-size: 1.15rem;
        font-weight: 650;
      }
      .intro {
        margin: 0 0 12px;
        color: var(--_muted);
      }
      [role='radiogroup'] {
        display: inline-flex;
        gap: 4px;
        border-radius: 6px;
      }
      [role='radio'] {
        cursor: pointer;
        border-radius: 4px;
        padding: 2px;
        transition: transform 120ms ease-out;
      }
      [role='radio']:hover {
        transform: scale(1.12);
      }
      .star path {
        transition: fill 120ms ease-out, stroke 120ms ease-out;
      }
      label {
        display: block;
        margin: 16px 0 4px;
        font-weight: 600;
        font-size: 0.95rem;
      }
      textarea {
        box-sizing: border-box;
        width: 100%;
        min-height: 84px;
        padding: 8px 10px;
        border: 1px solid var(--_star-empty-outline);
        border-radius: calc(var(--_radius) - 2px);
        font: inherit;
        color: inherit;
        background: var(--_surface);
        resize: vertical;
      }
      textarea[aria-invalid='true'] {
        border-color: var(--_error);
      }
      .row {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 12px;
        margin-top: 8px;
      }
      .counter {
        color: var(--_muted);
        font-size: 0.85rem;
        font-variant-numeric: tabular-nums;
      }
      .counter.over,
      .too-long {
        color: var(--_error);
      }
      .too-long {
        margin: 6px 0 0;
        font-size: 0.85rem;
      }
      .submit {
        padding: 8px 20px;
        border: 1px solid var(--_amber-strong);
        background: var(--_amber-strong);
        color: #ffffff;
        font-weight: 600;
      }
      .submit:disabled {
        cursor: not-allowed;
        opacity: 0.6;
      }
      .done {
        border-color: var(--_amber-border);
        background: var(--_amber-soft);
      }
      .done h2 {
        color: var(--_amber-text);
        margin-bottom: 8px;
      }
      .done h2:focus {
        outline: none;
      }
      .comment-text {
        margin: 10px 0 0;
        font-style: italic;
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      @media (prefers-reduced-motion: reduce) {
        [role='radio'],
        [role='radio']:hover,
        .star path {
          transition: none;
          transform: none;
        }
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this._onVisible);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this._onVisible);
  }

  /** Back to this tab: a rating made meanwhile elsewhere (another tab) turns an untouched prompt read-only. */
  private _onVisible = () => {
    if (document.visibilityState === 'visible' && this.state === 'prompt' && this._rating === 0 && !this._sending) void this.reload();
  };

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('ticketId')) {
      // Another ticket: nothing chosen or typed for it yet.
      this._rating = this._hover = 0;
      this._focus = 1;
      this._comment = '';
      this._error = null;
    }
    super.willUpdate(changed);
  }

  protected override _show(ticket: TicketCsat | null): void {
    this._ticket = ticket;
    this._error = null;
    if (ticket?.csatRating) this.state = 'done';
    else if (ticket?.csatCanRate) this.state = 'prompt';
    else this.state = 'hidden';
  }

  private get _commentLength(): number {
    return codePoints(normaliseComment(this._comment));
  }

  private _choose(n: number): void {
    if (this._submitting) return;
    this._rating = n;
    this._focus = n;
  }

  private _onKey(e: KeyboardEvent): void {
    const keys: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    let next = this._focus;
    if (e.key in keys) next = ((this._focus - 1 + keys[e.key]! + MAX) % MAX) + 1;
    else if (e.key === 'Home') next = 1;
    else if (e.key === 'End') next = MAX;
    else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this._choose(this._focus);
      return;
    } else return;
    e.preventDefault();
    this._focus = next;
    this._hover = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`[data-star="${next}"]`)?.focus());
  }

  /** Focus left the stars (not moved between them): the preview ends. */
  private _onFocusOut(e: FocusEvent): void {
    if (!(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null)) this._hover = 0;
  }

  private async _submit(): Promise<void> {
    if (this._sending || !this._rating || !this.ticketId || this._commentLength > COMMENT_MAX) return;
    this._sending = true;
    this._submitting = true;
    this._error = null;
    try {
      const data = await graphql(this.transport, RATE_MUTATION, { id: this.ticketId, rating: this._rating, comment: normaliseComment(this._comment) });
      const ticket = ticketOf(data);
      this._show(ticket);
      this.dispatchEvent(new CustomEvent('csat-rated', { detail: ticket, bubbles: true, composed: true }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
    } catch (err) {
      this._fail(err);
    } finally {
      this._sending = false;
      this._submitting = false;
    }
  }

  override render() {
    const s = this.s;
    const lang = this.lang || langOf(this);
    const max = formatNumber(lang, MAX);
    if (this.state === 'error') return this._errorBox(() => this.reload());
    if (this.state === 'done' && this._ticket?.csatRating) {
      const rating = this._ticket.csatRating;
      return html`<section class="panel done" part="panel panel-done" aria-labelledby="heading">
        <h2 id="heading" part="heading" tabindex="-1">${s.thanks}</h2>
        ${staticStars(rating, fill(s.yourRating, { rating: formatNumber(lang, rating), max }))}
        ${this._ticket.csatComment ? html`<p class="comment-text" part="comment-text">${this._ticket.csatComment}</p>` : nothing}
      </section>`;
    }
    if (this.state !== 'prompt') return nothing;
    const lit = this._hover || this._rating;
    const length = this._commentLength;
    const over = length - COMMENT_MAX;
    return html`<section class="panel" part="panel" aria-labelledby="heading">
      <h2 id="heading" part="heading">${s.heading}</h2>
      <p class="intro" part="intro">${s.intro}</p>
      <div role="radiogroup" aria-label=${s.ratingLabel} class="stars" part="stars" @mouseleave=${() => (this._hover = 0)} @keydown=${this._onKey} @focusout=${this._onFocusOut}>
        ${[1, 2, 3, 4, 5].map(
          (n) =>
            html`<span
              role="radio"
              data-star=${n}
              class="star ${n <= lit ? 'lit' : ''}"
              part=${n <= lit ? 'star star-lit' : 'star'}
              aria-checked=${n === this._rating ? 'true' : 'false'}
              aria-label=${fill(s.star, { rating: formatNumber(lang, n), max })}
              tabindex=${n === this._focus ? '0' : '-1'}
              @mouseenter=${() => (this._hover = n)}
              @click=${() => this._choose(n)}
              >${starIcon()}</span
            >`,
        )}
      </div>
      ${this._rating
        ? html`<label for="comment" part="comment-label">${s.commentLabel}</label>
            <textarea
              id="comment"
              part="comment"
              placeholder=${s.commentPlaceholder}
              aria-describedby="counter"
              aria-invalid=${over > 0 ? 'true' : 'false'}
              .value=${this._comment}
              ?disabled=${this._submitting}
              @input=${(e: InputEvent) => (this._comment = (e.target as HTMLTextAreaElement).value)}
            ></textarea>
            ${over > 0 ? html`<p class="too-long" part="too-long" role="alert">${fill(s.tooLong, { max: formatNumber(lang, COMMENT_MAX), over: formatNumber(lang, over) })}</p>` : nothing}
            <div class="row">
              <span id="counter" class="counter ${over > 0 ? 'over' : ''}" part="counter">${fill(s.counter, { count: formatNumber(lang, length), max: formatNumber(lang, COMMENT_MAX) })}</span>
              <button class="submit" part="submit" type="button" ?disabled=${this._submitting || over > 0} aria-busy=${this._submitting ? 'true' : 'false'} @click=${this._submit}>
                ${this._submitting ? s.submitting : s.submit}
              </button>
            </div>`
        : nothing}
      ${this._error ? this._errorBox(() => this._submit()) : nothing}
    </section>`;
  }
}
