import { codePoints, COMMENT_MAX, fill, formatNumber, normaliseComment } from './i18n.js';

/** What POST /rate/<token> answers a request with `Accept: application/json` (src/rating-links/link.route.plugin.ts). */
export interface RatePageOutcome {
  /** The page it would have rendered: `prompt` (again, with a problem), `done`, or a refusal (`expired`, …). */
  outcome: string;
  /** Its <title>. */
  title: string;
  /** Its panel: the same <section> the server puts in the page, rendered by the same code. */
  html: string;
}

/**
 * `<csat-rate-page>`: the rating link's page (`GET /rate/<token>`, rendered on the server) enhanced in place. The
 * server's form stays what it is (real radios, a textarea, Submit; it works without this script); this element,
 * around the form's panel, adds the prompt's live counter and busy Submit, sends the form with fetch to the same
 * URL and shows the answer's panel in place: focus moves to it and a live region reads it. It has no texts of its
 * own: the page gives it the catalogue's (web/src/catalogue.ts) in its language, as `data-counter`,
 * `data-submitting` and `data-network`, so one module (one immutable URL) serves every language.
 */
export class CsatRatePage extends HTMLElement {
  /** Set at the submit, before the answer: a double click sends one POST. */
  private _sending = false;
  private _live?: HTMLElement;

  connectedCallback(): void {
    if (this._live) return;
    // Inside <main> (every text of the page stays in a landmark), beside the panel that gets replaced.
    this._live = document.createElement('p');
    this._live.className = 'sr';
    this._live.setAttribute('role', 'status');
    this.append(this._live);
    // Delegated: a panel that comes back with a form (a 422's) is handled without binding anything again.
    this.addEventListener('submit', (e) => void this._submit(e));
    this.addEventListener('input', (e) => this._count(e.target));
    this.toggleAttribute('enhanced', true);
  }

  private get _lang(): string | undefined {
    return document.documentElement.lang || undefined;
  }

  /** The comment's counter, as the prompt counts (code points of the trimmed comment), marked when over. */
  private _count(target: EventTarget | null): void {
    if (!(target instanceof HTMLTextAreaElement)) return;
    const counter = this.querySelector('#counter');
    const length = codePoints(normaliseComment(target.value));
    if (counter) {
      counter.textContent = fill(this.dataset.counter ?? '{count} / {max}', { count: formatNumber(this._lang, length), max: formatNumber(this._lang, COMMENT_MAX) });
      counter.classList.toggle('over', length > COMMENT_MAX);
    }
    target.setAttribute('aria-invalid', String(length > COMMENT_MAX));
  }

  private _busy(form: HTMLFormElement, busy: boolean): void {
    const button = form.querySelector<HTMLButtonElement>('button[type=submit]');
    const comment = form.querySelector('textarea');
    if (button) {
      button.dataset.label ??= button.textContent ?? '';
      button.disabled = busy;
      button.setAttribute('aria-busy', String(busy));
      button.textContent = busy ? (this.dataset.submitting ?? button.dataset.label) : button.dataset.label;
    }
    if (comment) comment.readOnly = busy;
  }

  private async _submit(e: Event): Promise<void> {
    const form = e.target;
    if (!(form instanceof HTMLFormElement)) return;
    e.preventDefault();
    if (this._sending) return;
    this._sending = true;
    // The form's own fields, as the plain form would send them (before anything is marked busy).
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) if (typeof value === 'string') body.append(name, value);
    this._busy(form, true);
    let answer: RatePageOutcome;
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        body,
        headers: { accept: 'application/json' },
        // The page's policy is no-referrer, under which a POST's Origin would be "null"; this one request says its
        // origin (the server accepts its own), and still sends no Referer: the token never leaves in a header.
        referrerPolicy: 'same-origin',
        referrer: '',
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
      });
      if (!res.headers.get('content-type')?.startsWith('application/json')) {
        // Not this service's answer (a proxy's error page): the plain form's way, a page of its own.
        this._busy(form, false);
        form.submit();
        return;
      }
      answer = (await res.json()) as RatePageOutcome;
    } catch {
      this._sending = false;
      this._busy(form, false);
      this._problem(form, this.dataset.network ?? '');
      return;
    }
    this._sending = false;
    this._show(answer);
  }

  /** A problem of this attempt (the network), where the server puts its own; Submit tries again. */
  private _problem(form: HTMLFormElement, text: string): void {
    form.querySelector('#problem')?.remove();
    const p = document.createElement('p');
    p.className = 'error';
    p.id = 'problem';
    p.setAttribute('role', 'alert');
    p.textContent = text;
    form.querySelector('.row')?.before(p);
  }

  /** The answer's panel in place of the form's, focused and read out. */
  private _show(answer: RatePageOutcome): void {
    const template = document.createElement('template');
    template.innerHTML = answer.html;
    const next = template.content.querySelector('section');
    const current = this.querySelector('section');
    if (!next || !current) return void location.reload();
    current.replaceWith(next);
    document.title = answer.title;
    this.closest('main')?.setAttribute('data-page', answer.outcome);
    // The form again (a 422): its problem is an alert of its own, and focus goes to it.
    const target = next.querySelector<HTMLElement>('#problem') ?? next.querySelector<HTMLElement>('h1');
    if (target) {
      target.tabIndex = -1;
      target.focus();
    }
    if (this._live && answer.outcome !== 'prompt') this._live.textContent = spoken(next);
  }
}

/** What a screen reader should hear of a panel: its texts, and a picture's label (the read-only stars). */
function spoken(panel: Element): string {
  return [...panel.children]
    .map((el) => (el.getAttribute('role') === 'img' ? el.getAttribute('aria-label') : el.textContent))
    .filter((t): t is string => !!t && t.trim() !== '')
    .join(' ');
}
