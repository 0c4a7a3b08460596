import { createHash } from 'node:crypto';
import { COMPONENT_TEXTS, RATING_LINK_TEXTS, type Language, type RatingLinkStrings } from '../../web/src/catalogue.js';
import { escapeHtml, fill } from './link.html.js';

// The rating page, rendered here: the texts and the look of <csat-prompt> (web/src/csat-prompt.ts, styles.ts) as
// plain HTML and CSS. It is a form: it works without JavaScript. With JavaScript, one same-origin module
// (<csat-rate-page>, web/src/csat-rate-page.ts) enhances it in place; the panels it shows are rendered here too.

const MAX = 5;
const COMMENT_MAX = 2000;
const STAR_PATH = 'M12 2.6l2.83 6.06 6.63.72-4.95 4.5 1.38 6.54L12 17.1l-5.89 3.32 1.38-6.54-4.95-4.5 6.63-.72z';
const STAR_SVG = `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="${STAR_PATH}"/></svg>`;

/** Lit stars: the chosen one and those before it (no script: :has() follows the checked radio and the hover). */
const LIT = [1, 2, 3, 4, 5]
  .map((n) => `.stars:has(input[value="${n}"]:checked) label:nth-of-type(-n+${n}) path`)
  .join(',\n');
const HOVER = [1, 2, 3, 4, 5]
  .map((n) => `.stars:has(label:nth-of-type(${n}):hover) label:nth-of-type(-n+${n}) path`)
  .join(',\n');

/** The prompt's tokens and rules (web/src/styles.ts, csat-prompt.ts), for a page. */
export const PAGE_CSS = `
:root{--amber:#f59e0b;--amber-strong:#b45309;--amber-soft:#fffbeb;--amber-border:#f5c451;--amber-text:#78350f;--text:#1f2937;--muted:#4b5563;--surface:#fff;--border:#e5e7eb;--star-empty:#f3f4f6;--star-empty-outline:#6b7280;--error:#b91c1c;--error-soft:#fef2f2;--focus:#1d4ed8;--radius:8px;--star-size:28px}
body{margin:0;padding:32px 16px;background:#f9fafb;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:var(--text);line-height:1.4}
main{max-width:560px;margin:0 auto}
.panel{padding:20px 24px;border:1px solid var(--border);border-radius:var(--radius);background:var(--surface)}
h1{margin:0 0 4px;font-size:1.15rem;font-weight:650}
.intro{margin:0 0 12px;color:var(--muted)}
fieldset{margin:0;padding:0;border:0}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.stars{display:flex;gap:4px}
.stars input{position:absolute;opacity:0;width:1px;height:1px;margin:0}
.star{display:block;cursor:pointer;border-radius:4px;padding:2px;transition:transform 120ms ease-out}
.star:hover{transform:scale(1.12)}
.star svg{display:block;width:var(--star-size);height:var(--star-size)}
.star path{fill:var(--star-empty);stroke:var(--star-empty-outline);stroke-width:1.25;stroke-linejoin:round;transition:fill 120ms ease-out,stroke 120ms ease-out}
.star.lit path,
${LIT},
${HOVER}{fill:var(--amber);stroke:var(--amber-strong)}
.stars input:focus-visible+label{outline:3px solid var(--focus);outline-offset:2px}
label.comment{display:block;margin:16px 0 4px;font-weight:600;font-size:.95rem}
textarea{box-sizing:border-box;width:100%;min-height:84px;padding:8px 10px;border:1px solid var(--star-empty-outline);border-radius:calc(var(--radius) - 2px);font:inherit;color:inherit;background:var(--surface);resize:vertical}
textarea[aria-invalid=true]{border-color:var(--error)}
.row{display:flex;align-items:center;justify-content:space-between;gap:12px;margin-top:8px}
.counter{color:var(--muted);font-size:.85rem}
.submit{padding:8px 20px;border:1px solid var(--amber-strong);border-radius:calc(var(--radius) - 2px);background:var(--amber-strong);color:#fff;font:inherit;font-weight:600;cursor:pointer}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.error{margin:12px 0 0;padding:8px 12px;border:1px solid var(--error);border-radius:var(--radius);background:var(--error-soft);color:var(--error);font-size:.9rem}
.done{border-color:var(--amber-border);background:var(--amber-soft)}
.done h1{color:var(--amber-text);margin-bottom:8px}
.comment-text{margin:10px 0 0;font-style:italic;white-space:pre-wrap;overflow-wrap:anywhere}
.message p{margin:0;color:var(--muted)}
csat-rate-page{display:block}
.counter.over{color:var(--error)}
.submit:disabled{cursor:not-allowed;opacity:.6}
[tabindex="-1"]:focus{outline:none}
@media (prefers-reduced-motion:reduce){.star,.star:hover,.star path{transition:none;transform:none}}
`;

/** The Content-Security-Policy's allowance for the one inline style sheet, by its hash: no other style loads. */
export const PAGE_CSS_HASH = `sha256-${createHash('sha256').update(PAGE_CSS).digest('base64')}`;

/** Why a link cannot be used: each its own page and HTTP status (docs/email-links.md). */
export type MessageKind = 'expired' | 'invalid' | 'requesterChanged' | 'notFound' | 'notResolved' | 'disabled' | 'tooMany' | 'crossSite' | 'error' | 'busy';

export const MESSAGE_STATUS: Record<MessageKind, number> = {
  invalid: 400,
  requesterChanged: 403,
  disabled: 403,
  crossSite: 403,
  notFound: 404,
  notResolved: 409,
  expired: 410,
  tooMany: 429,
  error: 500,
  busy: 503,
};

export type PageState =
  | { kind: 'prompt'; rating?: number; comment?: string; problem?: 'chooseRating' | 'tooLong' | 'invalidComment' }
  | { kind: 'done'; rating: number; comment: string | null }
  | { kind: 'message'; message: MessageKind };

/** The enhancer's script tag: its path relative to the page (`assets/…`, beside `/rate/<token>` under any PUBLIC_URL prefix) and its hash. */
export interface PageScript {
  src: string;
  integrity: string;
}

/** One state of the page: what <main> holds, its name (`data-page`, the JSON answer's `outcome`) and the title. */
export interface Panel {
  page: string;
  title: string;
  html: string;
}

function document(lang: Language, panel: Panel, body: string, script: PageScript | undefined): string {
  const tag = script ? `<script type="module" src="${escapeHtml(script.src)}" integrity="${escapeHtml(script.integrity)}"></script>` : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>${escapeHtml(panel.title)}</title><style>${PAGE_CSS}</style>${tag}</head>
<body><main data-page="${panel.page}">${body}</main></body></html>
`;
}

function messageTexts(s: RatingLinkStrings, lang: Language, kind: MessageKind): [string, string] {
  const e = COMPONENT_TEXTS[lang].prompt;
  switch (kind) {
    case 'expired':
      return [s.expiredHeading, s.expiredBody];
    case 'invalid':
      return [s.invalidHeading, s.invalidBody];
    case 'requesterChanged':
      return [s.requesterChangedHeading, s.requesterChangedBody];
    case 'notFound':
      return [s.notFoundHeading, s.notFoundBody];
    case 'notResolved':
      return [s.notResolvedHeading, e.errorNotResolved];
    case 'disabled':
      return [s.disabledHeading, e.errorDisabled];
    case 'tooMany':
      return [s.tooManyHeading, s.tooManyBody];
    case 'crossSite':
      return [s.crossSiteHeading, s.crossSiteBody];
    case 'busy':
      return [s.errorHeading, e.errorBusy];
    case 'error':
      return [s.errorHeading, e.errorOther];
  }
}

/**
 * The whole page for a state, in a language. A prompt's panel sits in <csat-rate-page>, with the texts the enhancer
 * needs from the catalogue; with `script`, the page loads it (the other states have nothing to enhance).
 */
export function renderPage(lang: Language, state: PageState, script?: PageScript): string {
  const panel = renderPanel(lang, state);
  if (state.kind !== 'prompt') return document(lang, panel, panel.html, undefined);
  const p = COMPONENT_TEXTS[lang].prompt;
  const texts = `data-counter="${escapeHtml(p.counter)}" data-submitting="${escapeHtml(p.submitting)}" data-network="${escapeHtml(p.errorNetwork)}"`;
  return document(lang, panel, `<csat-rate-page ${texts}>${panel.html}</csat-rate-page>`, script);
}

/** A state's panel alone: the page's <main>, and what the JSON answer to the enhancer carries. */
export function renderPanel(lang: Language, state: PageState): Panel {
  const p = COMPONENT_TEXTS[lang].prompt;
  const s = RATING_LINK_TEXTS[lang];
  const num = new Intl.NumberFormat(lang);
  const max = num.format(MAX);
  if (state.kind === 'message') {
    const [heading, body] = messageTexts(s, lang, state.message);
    return { page: state.message, title: heading, html: `<section class="panel message" aria-labelledby="heading"><h1 id="heading">${escapeHtml(heading)}</h1><p>${escapeHtml(body)}</p></section>` };
  }
  if (state.kind === 'done') {
    const label = fill(p.yourRating, { rating: num.format(state.rating), max });
    const stars = [1, 2, 3, 4, 5].map((n) => `<span class="star${n <= state.rating ? ' lit' : ''}">${STAR_SVG}</span>`).join('');
    const comment = state.comment ? `<p class="comment-text">${escapeHtml(state.comment)}</p>` : '';
    return { page: 'done', title: p.thanks, html: `<section class="panel done" aria-labelledby="heading"><h1 id="heading">${escapeHtml(p.thanks)}</h1><div class="stars" role="img" aria-label="${escapeHtml(label)}">${stars}</div>${comment}</section>` };
  }
  const radios = [1, 2, 3, 4, 5]
    .map((n) => {
      const checked = state.rating === n ? ' checked' : '';
      return `<input type="radio" name="rating" value="${n}" id="star-${n}"${checked}><label for="star-${n}" class="star">${STAR_SVG}<span class="sr">${escapeHtml(fill(p.star, { rating: num.format(n), max }))}</span></label>`;
    })
    .join('');
  const problem =
    state.problem === 'chooseRating'
      ? s.chooseRating
      : state.problem === 'tooLong'
        ? fill(p.tooLong, { max: num.format(COMMENT_MAX), over: num.format(Math.max(1, [...(state.comment ?? '')].length - COMMENT_MAX)) })
        : state.problem === 'invalidComment'
          ? p.errorOther
          : undefined;
  const invalid = state.problem === 'tooLong' || state.problem === 'invalidComment';
  const body = `<section class="panel" aria-labelledby="heading"><h1 id="heading">${escapeHtml(p.heading)}</h1><p class="intro">${escapeHtml(p.intro)}</p>
<form method="post" accept-charset="utf-8">
<fieldset><legend class="sr">${escapeHtml(p.ratingLabel)}</legend><div class="stars">${radios}</div></fieldset>
<label class="comment" for="comment">${escapeHtml(p.commentLabel)}</label>
<textarea id="comment" name="comment" placeholder="${escapeHtml(p.commentPlaceholder)}" aria-describedby="counter"${invalid ? ' aria-invalid="true"' : ''}>${escapeHtml(state.comment ?? '')}</textarea>
${problem ? `<p class="error" role="alert" id="problem">${escapeHtml(problem)}</p>` : ''}
<div class="row"><span id="counter" class="counter">${escapeHtml(fill(p.counter, { count: num.format([...(state.comment ?? '')].length), max: num.format(COMMENT_MAX) }))}</span><button class="submit" type="submit">${escapeHtml(p.submit)}</button></div>
</form></section>`;
  return { page: 'prompt', title: s.pageTitle, html: body };
}
