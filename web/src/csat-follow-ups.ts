import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { languageOf } from './catalogue.js';
import { CsatError, graphql, type CsatFetch } from './client.js';
import { FOLLOW_UP_TEXTS, type FollowUpStrings } from './follow-ups.strings.js';
import { codePoints, COMMENT_MAX, fill, formatNumber, langOf, relativeTime } from './i18n.js';
import { staticStars, tokens } from './styles.js';

export type { FollowUpStrings } from './follow-ups.strings.js';

type State = 'OPEN' | 'CONTACTED' | 'DONE';

export interface FollowUpItem {
  ticketId: string;
  rating: number;
  comment: string | null;
  assigneeId: string | null;
  state: State;
  owner: string | null;
  note: string | null;
  openedAt: string;
}

/** The queue: OPEN and CONTACTED follow-ups, oldest rating first (the longest waiting at the top). */
export const FOLLOW_UPS_QUERY = `query CsatFollowUps($first: Int!) {
  csatRatings(filter: { followUp: [OPEN, CONTACTED] }, orderBy: RATED_AT_ASC, first: $first) {
    totalCount
    edges { node { rating comment assigneeId ticket { id csatFollowUp { state owner note openedAt } } } }
  }
}`;

/** A left-out variable is a left-out argument: the owner (or the note) then stays as it is. */
export const SET_FOLLOW_UP = `mutation CsatSetFollowUp($id: ID!, $state: CsatFollowUpState!, $owner: ID, $note: String) {
  setCsatFollowUp(ticketId: $id, state: $state, ownerId: $owner, note: $note) { id csatFollowUp { state owner note openedAt } }
}`;

/** The caller's id from the token's `sub` claim (read, not verified: the server verifies; this only names "me"). */
function subOf(token: string | null): string | null {
  const part = token?.split('.')[1];
  if (!part) return null;
  try {
    const json = JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    return typeof json.sub === 'string' ? json.sub : null;
  } catch {
    return null;
  }
}

/**
 * `<csat-follow-ups>`: the follow-up queue of `<csat-insights>` (which renders it and hands it its endpoint,
 * token, names and links), usable alone. Each follow-up: its state, stars, comment, owner and age; "Assign to
 * me", "Mark contacted", and "Mark done…" with a note. One request to list; one per change, then the list again.
 * Event: `csat-follow-up-change` (detail: { ticketId, state, owner }).
 */
export class CsatFollowUps extends LitElement {
  static override properties = {
    endpoint: {},
    token: { attribute: false },
    fetch: { attribute: false },
    strings: { type: Object },
    lang: { reflect: true },
    me: {},
    ticketHref: { attribute: 'ticket-href' },
    agentNames: { attribute: 'agent-names', type: Object },
    first: { type: Number },
    state: { reflect: true },
    _items: { state: true },
    _total: { state: true },
    _editing: { state: true },
    _busy: { state: true },
    _said: { state: true },
  };

  declare endpoint: string;
  declare token: string | null;
  declare fetch: CsatFetch | null;
  declare strings: Partial<FollowUpStrings> | null;
  /** The signed-in agent's id, for "Assign to me"; default: the token's `sub`. */
  declare me: string | null;
  declare ticketHref: string | null;
  declare agentNames: Record<string, string> | null;
  /** How many to list (the oldest first). */
  declare first: number;
  declare state: 'loading' | 'ready' | 'empty' | 'error';
  declare private _items: FollowUpItem[];
  declare private _total: number;
  /** The ticket whose "done" note is being written. */
  declare private _editing: string | null;
  declare private _busy: string | null;
  /** What the live region says after a change. */
  declare private _said: string;
  private _loads = 0;

  constructor() {
    super();
    this.endpoint = '/graphql';
    this.token = null;
    this.fetch = null;
    this.strings = null;
    this.me = null;
    this.ticketHref = null;
    this.agentNames = null;
    this.first = 10;
    this.state = 'loading';
    this._items = [];
    this._total = 0;
    this._editing = null;
    this._busy = null;
    this._said = '';
  }

  static override styles = [
    tokens,
    css`
      :host {
        display: block;
        margin-top: 20px;
      }
      h3 {
        display: inline;
        margin: 0 8px 0 0;
        font-size: 1rem;
        font-weight: 650;
      }
      .count,
      .age,
      .owner,
      .more {
        font-size: 0.8rem;
        color: var(--_muted);
      }
      ul {
        margin: 8px 0 0;
        padding: 0;
        list-style: none;
      }
      li {
        padding: 10px 0;
        border-top: 1px solid var(--_border);
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 4px 12px;
      }
      .state {
        padding: 1px 8px;
        border-radius: 999px;
        font-size: 0.8rem;
        font-weight: 600;
        border: 1px solid var(--_amber-border);
        background: var(--_amber-soft);
        color: var(--_amber-text);
      }
      .state.CONTACTED {
        border-color: var(--_border);
        background: var(--_star-empty);
        color: var(--_text);
      }
      .stars {
        display: inline-flex;
        --_star-size: 14px;
      }
      .comment {
        margin: 4px 0;
        overflow-wrap: anywhere;
        white-space: pre-wrap;
        display: -webkit-box;
        -webkit-line-clamp: 2;
        -webkit-box-orient: vertical;
        overflow: hidden;
      }
      a {
        color: var(--_focus);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        margin-top: 6px;
      }
      button,
      textarea {
        font: inherit;
        color: inherit;
      }
      button {
        padding: 3px 10px;
        border: 1px solid var(--_star-empty-outline);
        border-radius: calc(var(--_radius) - 2px);
        background: var(--_surface);
        cursor: pointer;
      }
      button.primary {
        border-color: var(--_amber-strong);
        background: var(--_amber-strong);
        color: #fff;
      }
      button:focus-visible,
      textarea:focus-visible,
      a:focus-visible {
        outline: 2px solid var(--_focus);
        outline-offset: 2px;
      }
      form {
        display: grid;
        gap: 6px;
        margin-top: 8px;
        max-width: 36rem;
      }
      textarea {
        min-height: 4em;
        padding: 6px 8px;
        border: 1px solid var(--_star-empty-outline);
        border-radius: calc(var(--_radius) - 2px);
      }
      .message {
        margin: 8px 0 0;
        color: var(--_muted);
      }
      .error {
        color: var(--_error);
      }
      .sr {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
        white-space: nowrap;
      }
    `,
  ];

  protected get s(): FollowUpStrings {
    return { ...FOLLOW_UP_TEXTS[languageOf(this._lang)], ...this.strings };
  }

  private get _lang(): string | undefined {
    return this.lang || langOf(this);
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (['endpoint', 'token', 'fetch', 'first'].some((k) => changed.has(k))) void this.reload();
  }

  private get _transport() {
    return { endpoint: this.endpoint, token: this.token, fetch: this.fetch };
  }

  /** Lists the queue again: one GraphQL request. */
  async reload(): Promise<void> {
    const load = ++this._loads;
    if (!this._items.length) this.state = 'loading';
    try {
      const data = (await graphql(this._transport, FOLLOW_UPS_QUERY, { first: this.first })) as { csatRatings: { totalCount: number; edges: { node: any }[] } };
      if (load !== this._loads) return;
      this._items = data.csatRatings.edges
        .map(({ node }) => ({ ticketId: node.ticket.id, rating: node.rating, comment: node.comment, assigneeId: node.assigneeId, ...node.ticket.csatFollowUp }))
        .filter((i: FollowUpItem) => i.state);
      this._total = data.csatRatings.totalCount;
      this.state = this._items.length ? 'ready' : 'empty';
    } catch (err) {
      if (load !== this._loads) return;
      this.state = 'error';
      this.dispatchEvent(new CustomEvent('csat-error', { detail: { code: err instanceof CsatError ? err.code : 'NETWORK', message: String(err) }, bubbles: true, composed: true }));
    }
  }

  private _name(id: string | null): string {
    if (!id) return this.s.nobody;
    return this.agentNames?.[id] ?? id.slice(0, 8);
  }

  /** One change through setCsatFollowUp, then the list again; focus stays in the queue. */
  private async _set(item: FollowUpItem, change: { state: State; owner?: string; note?: string | null }): Promise<void> {
    this._busy = item.ticketId;
    try {
      await graphql(this._transport, SET_FOLLOW_UP, { id: item.ticketId, ...change });
      this._editing = null;
      this._said = change.state === 'DONE' ? this.s.done : `${this.s[change.state]}: ${fill(this.s.ticket, { ticket: item.ticketId.slice(0, 8) })}`;
      this.dispatchEvent(new CustomEvent('csat-follow-up-change', { detail: { ticketId: item.ticketId, state: change.state, owner: change.owner ?? item.owner }, bubbles: true, composed: true }));
      const index = this._items.indexOf(item);
      await this.reload();
      // The buttons are enabled again before one takes the focus (a disabled button cannot).
      this._busy = null;
      await this.updateComplete;
      // The same row's first button, or the next row's when it left the queue; the heading when none is left.
      const rows = this.renderRoot.querySelectorAll<HTMLElement>('li');
      const row = [...rows].find((r) => r.dataset.ticket === item.ticketId) ?? rows[Math.min(index, rows.length - 1)];
      (row?.querySelector<HTMLElement>('button') ?? this.renderRoot.querySelector<HTMLElement>('h3'))?.focus();
    } catch {
      this.state = 'error';
    } finally {
      this._busy = null;
    }
  }

  private _assign(item: FollowUpItem) {
    const me = this.me ?? subOf(this.token);
    if (me) void this._set(item, { state: item.state, owner: me });
  }

  private _openNote(item: FollowUpItem) {
    this._editing = item.ticketId;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus());
  }

  private _cancel(item: FollowUpItem) {
    this._editing = null;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`li[data-ticket="${item.ticketId}"] [part~="mark-done"]`)?.focus());
  }

  private _submit(e: SubmitEvent, item: FollowUpItem) {
    e.preventDefault();
    const text = (e.target as HTMLFormElement).querySelector('textarea')!.value.trim();
    void this._set(item, { state: 'DONE', note: text || item.note });
  }

  override render() {
    const s = this.s;
    const now = new Date();
    const href = (id: string) => (this.ticketHref ? this.ticketHref.replace(/\{id\}/g, encodeURIComponent(id)) : null);
    const me = this.me ?? subOf(this.token);
    return html`<section part="follow-ups" aria-labelledby="fu-h" aria-busy=${this.state === 'loading' ? 'true' : 'false'}>
      <h3 id="fu-h" tabindex="-1">${s.heading}</h3>
      ${this.state === 'ready' ? html`<span class="count" part="follow-up-count">${fill(s.summary, { count: formatNumber(this._lang, this._total) })}</span>` : nothing}
      ${this.state === 'loading'
        ? html`<p class="message" role="status">${s.loading}</p>`
        : this.state === 'error'
          ? html`<p class="message error" part="follow-up-error" role="alert">
              ${s.error} <button type="button" part="follow-up-retry" @click=${() => this.reload()}>${s.retry}</button>
            </p>`
          : this.state === 'empty'
            ? html`<p class="message" part="follow-up-empty">${s.empty}</p>`
            : html`<ul>
                ${this._items.map((item) => {
                  const link = href(item.ticketId);
                  const ticket = fill(s.ticket, { ticket: item.ticketId.slice(0, 8) });
                  const noteId = `note-${item.ticketId}`;
                  return html`<li part="follow-up" data-ticket=${item.ticketId} data-state=${item.state} aria-busy=${this._busy === item.ticketId ? 'true' : 'false'}>
                    <div class="line">
                      <span class="state ${item.state}" part="follow-up-state">${s[item.state]}</span>
                      ${staticStars(item.rating, fill(s.stars, { n: item.rating }))}
                      ${link ? html`<a href=${link}>${ticket}</a>` : html`<span>${ticket}</span>`}
                      <span class="age" part="follow-up-age">${fill(s.opened, { age: relativeTime(this._lang, new Date(item.openedAt), now) })}</span>
                      <span class="owner" part="follow-up-owner">${s.owner}: ${this._name(item.owner)}</span>
                    </div>
                    ${item.comment ? html`<p class="comment">${item.comment}</p>` : nothing}
                    ${this._editing === item.ticketId
                      ? html`<form part="done-form" @submit=${(e: SubmitEvent) => this._submit(e, item)} @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && this._cancel(item)}>
                          <label for=${noteId}>${s.note}</label>
                          <textarea id=${noteId} part="note" maxlength=${COMMENT_MAX} .value=${item.note ?? ''}
                            @input=${(e: Event) => {
                              const t = e.target as HTMLTextAreaElement;
                              t.setCustomValidity(codePoints(t.value) > COMMENT_MAX ? `≤ ${COMMENT_MAX}` : '');
                            }}></textarea>
                          <div class="actions">
                            <button class="primary" type="submit" part="save-done" ?disabled=${this._busy === item.ticketId}>${s.save}</button>
                            <button type="button" part="cancel" @click=${() => this._cancel(item)}>${s.cancel}</button>
                          </div>
                        </form>`
                      : html`<div class="actions">
                          ${me && item.owner !== me
                            ? html`<button type="button" part="assign-to-me" ?disabled=${this._busy !== null} @click=${() => this._assign(item)}>${s.assignToMe}</button>`
                            : nothing}
                          ${item.state === 'OPEN'
                            ? html`<button type="button" part="mark-contacted" ?disabled=${this._busy !== null} @click=${() => this._set(item, { state: 'CONTACTED' })}>${s.markContacted}</button>`
                            : nothing}
                          <button type="button" part="mark-done" ?disabled=${this._busy !== null} @click=${() => this._openNote(item)}>${s.markDone}</button>
                        </div>`}
                  </li>`;
                })}
              </ul>
              ${this._total > this._items.length ? html`<p class="more">${fill(s.more, { count: formatNumber(this._lang, this._total - this._items.length) })}</p>` : nothing}`}
      <p class="sr" role="status" aria-live="polite">${this._said}</p>
    </section>`;
  }
}

if (!customElements.get('csat-follow-ups')) customElements.define('csat-follow-ups', CsatFollowUps);

declare global {
  interface HTMLElementTagNameMap {
    'csat-follow-ups': CsatFollowUps;
  }
}
