import { css, html, svg, type TemplateResult } from 'lit';

/**
 * Theming: every colour, the radius and the font are CSS custom properties with these defaults (chosen for
 * WCAG AA: text at least 4.5:1 on its background, star outlines and focus ring at least 3:1).
 */
export const tokens = css`
  :host {
    --_amber: var(--csat-amber, #f59e0b);
    --_amber-strong: var(--csat-amber-strong, #b45309);
    --_amber-soft: var(--csat-amber-soft, #fffbeb);
    --_amber-border: var(--csat-amber-border, #f5c451);
    --_amber-text: var(--csat-amber-text, #78350f);
    --_text: var(--csat-text, #1f2937);
    --_muted: var(--csat-muted, #4b5563);
    --_surface: var(--csat-surface, #ffffff);
    --_border: var(--csat-border, #e5e7eb);
    --_star-empty: var(--csat-star-empty, #f3f4f6);
    --_star-empty-outline: var(--csat-star-empty-outline, #6b7280);
    --_error: var(--csat-error, #b91c1c);
    --_error-soft: var(--csat-error-soft, #fef2f2);
    --_focus: var(--csat-focus, #1d4ed8);
    --_radius: var(--csat-radius, 8px);
    --_star-size: var(--csat-star-size, 28px);
    font-family: var(--csat-font, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    color: var(--_text);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none !important;
  }
  .star svg {
    display: block;
    width: var(--_star-size);
    height: var(--_star-size);
  }
  .star path {
    fill: var(--_star-empty);
    stroke: var(--_star-empty-outline);
    stroke-width: 1.25;
    stroke-linejoin: round;
  }
  .star.lit path {
    fill: var(--_amber);
    stroke: var(--_amber-strong);
  }
  .stars {
    display: flex;
    gap: 4px;
  }
  .error {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px 12px;
    margin: 12px 0 0;
    padding: 8px 12px;
    border: 1px solid var(--_error);
    border-radius: var(--_radius);
    background: var(--_error-soft);
    color: var(--_error);
    font-size: 0.9rem;
  }
  button {
    font: inherit;
    cursor: pointer;
    border-radius: calc(var(--_radius) - 2px);
  }
  button.secondary {
    padding: 4px 12px;
    border: 1px solid currentColor;
    background: var(--_surface);
    color: inherit;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .tip {
    position: relative;
    display: inline-block;
  }
  .tooltip {
    position: absolute;
    z-index: 10;
    left: 50%;
    bottom: calc(100% + 6px);
    transform: translateX(-50%);
    padding: 4px 8px;
    border-radius: 4px;
    background: #111827;
    color: #ffffff;
    font-size: 0.8rem;
    font-style: normal;
    font-weight: 400;
    white-space: nowrap;
    pointer-events: none;
    opacity: 0;
    visibility: hidden;
    transition: opacity 120ms ease-out;
  }
  .tooltip.below {
    bottom: auto;
    top: calc(100% + 6px);
  }
  .tip:hover .tooltip,
  .tip:focus-within .tooltip {
    opacity: 1;
    visibility: visible;
  }
  .tip.dismissed .tooltip {
    opacity: 0;
    visibility: hidden;
  }
  @media (prefers-reduced-motion: reduce) {
    *,
    .tooltip {
      transition: none !important;
      animation: none !important;
    }
  }
`;

const STAR = svg`<path d="M12 2.6l2.83 6.06 6.63.72-4.95 4.5 1.38 6.54L12 17.1l-5.89 3.32 1.38-6.54-4.95-4.5 6.63-.72z"/>`;

/** One star: aria-hidden, the caller labels the group. */
export function starIcon(): TemplateResult {
  return html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${STAR}</svg>`;
}

/** Five stars, `rating` of them lit, as one image with a label ("4 out of 5 stars"). */
export function staticStars(rating: number, label: string): TemplateResult {
  return html`<div class="stars" part="stars" role="img" aria-label=${label}>
    ${[1, 2, 3, 4, 5].map((n) => html`<span class="star ${n <= rating ? 'lit' : ''}" part=${n <= rating ? 'star star-lit' : 'star'}>${starIcon()}</span>`)}
  </div>`;
}
