import { css, html, LitElement, type CSSResultGroup, type PropertyDeclarations, type PropertyValues } from 'lit';
import { CsatError, graphql, ticketOf, TICKET_QUERY, type CsatFetch, type TicketCsat } from './client.js';
import { COMPONENT_TEXTS, languageOf } from './catalogue.js';
import { errorText, langOf, type ErrorStrings } from './i18n.js';
import { tokens } from './styles.js';

/**
 * What `<csat-prompt>` and `<csat-card>` share: the ticket they read through `csatTicket` (or the host's
 * `query`), its public properties, and the load with its error state and retry. Each element renders it.
 */
export abstract class TicketElement<Strings extends ErrorStrings, State extends string> extends LitElement {
  static override properties: PropertyDeclarations = {
    ticketId: { attribute: 'ticket-id', reflect: true },
    endpoint: {},
    token: { attribute: false },
    fetch: { attribute: false },
    query: {},
    strings: { type: Object },
    lang: { reflect: true },
    state: { reflect: true },
    _ticket: { state: true },
    _error: { state: true },
  };

  // Nothing while loading: no space taken (each element hides its own blank state too).
  static override styles: CSSResultGroup = [
    tokens,
    css`
      :host {
        display: block;
      }
      :host([state='loading']) {
        display: none;
      }
    `,
  ];

  declare ticketId: string | null;
  /** The GraphQL endpoint: the gateway's URL. */
  declare endpoint: string;
  /** Sent as `Authorization: Bearer …`; never stored anywhere (property only, no attribute). */
  declare token: string | null;
  /** The host's own fetch (auth, headers, tests). */
  declare fetch: CsatFetch | null;
  /** A host's own query instead of `csatTicket`: `$id: ID!`, its first root field the Ticket with the CSAT fields. */
  declare query: string | null;
  declare strings: Partial<Strings> | null;
  /** Every element has `loading` and `error`; the others are its own. */
  declare state: State | 'loading' | 'error';
  declare protected _ticket: TicketCsat | null;
  declare protected _error: CsatError | null;
  private _loads = 0;

  /** `_texts`: the element's texts in the catalogue; `_blank`: its state with nothing to show (no ticket, or nothing in it). */
  constructor(
    private readonly _texts: 'prompt' | 'card',
    private readonly _blank: State,
  ) {
    super();
    this.ticketId = null;
    this.endpoint = '/graphql';
    this.token = null;
    this.fetch = null;
    this.query = null;
    this.strings = null;
    this.state = 'loading';
    this._ticket = null;
    this._error = null;
  }

  /** The texts: the catalogue's for `lang` (the nearest up the tree; English without one), then the host's own. */
  protected get s(): Strings {
    return { ...(COMPONENT_TEXTS[languageOf(this.lang || langOf(this))][this._texts] as unknown as Strings), ...this.strings };
  }

  protected get transport() {
    return { endpoint: this.endpoint, token: this.token, fetch: this.fetch };
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (['ticketId', 'endpoint', 'token', 'fetch', 'query'].some((k) => changed.has(k))) void this.reload();
  }

  /** Reads the ticket again (what a retry of a failed load does). */
  async reload(): Promise<void> {
    const load = ++this._loads;
    if (!this.ticketId) {
      this.state = this._blank;
      return;
    }
    // Nothing shown yet: say so until the answer (a shown element stays while it refreshes).
    if (this.state === 'error' || this.state === this._blank) this.state = 'loading';
    try {
      const ticket = ticketOf(await graphql(this.transport, this.query || TICKET_QUERY, { id: this.ticketId }));
      if (load !== this._loads) return;
      this._show(ticket);
    } catch (err) {
      if (load !== this._loads) return;
      this.state = 'error';
      this._fail(err);
    }
  }

  /** A ticket as read (or as stored after a rating): keep it and set the state it shows. */
  protected abstract _show(ticket: TicketCsat | null): void;

  protected _fail(err: unknown): void {
    this._error = err instanceof CsatError ? err : new CsatError('INTERNAL_SERVER_ERROR', String(err));
    this.dispatchEvent(new CustomEvent('csat-error', { detail: { code: this._error.code, message: this._error.message }, bubbles: true, composed: true }));
  }

  protected _errorBox(retry: () => unknown) {
    const s = this.s;
    return html`<div class="error" part="error" role="alert" data-code=${this._error?.code ?? ''}>
      <span>${errorText(s, this._error?.code ?? '')}</span>
      <button class="secondary" part="retry" type="button" @click=${retry}>${s.retry}</button>
    </div>`;
  }
}
