import { COMPONENT_TEXTS, RATING_LINK_TEXTS, type Language } from '../../web/src/catalogue.js';
import { escapeHtml, fill } from './link.html.js';

/** The email's stars, as the prompt's colours (web/src/styles.ts): amber on white, readable without images. */
const AMBER = '#b45309';
const TEXT = '#1f2937';
const MUTED = '#4b5563';

export interface EmailFragment {
  html: string;
  text: string;
}

/**
 * The "How did we do?" fragment for the resolution email: tables for layout, inline styles only, no images and no
 * scripts (mail clients strip them), five star links and the page's own link; the same in plain text.
 */
export function emailFragment(lang: Language, pageUrl: string, ratingUrls: readonly string[], expiresAt: Date): EmailFragment {
  const p = COMPONENT_TEXTS[lang].prompt;
  const s = RATING_LINK_TEXTS[lang];
  const max = ratingUrls.length;
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(expiresAt);
  const expires = fill(s.emailExpires, { date });
  const stars = ratingUrls
    .map((url, i) => {
      const label = fill(p.star, { rating: i + 1, max });
      // One link per star, its stars drawn with text (★ lit, ☆ not): an image-blocking client shows them as they are.
      const glyphs = `${'★'.repeat(i + 1)}<span style="color:#9ca3af;">${'☆'.repeat(max - i - 1)}</span>`;
      return `<tr><td style="padding:4px 0;"><a href="${escapeHtml(url)}" title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}" style="color:${AMBER};text-decoration:none;font-size:22px;letter-spacing:2px;line-height:28px;">${glyphs}</a> <a href="${escapeHtml(url)}" style="color:${TEXT};font-size:14px;text-decoration:underline;">${escapeHtml(label)}</a></td></tr>`;
    })
    .join('');
  const html =
    `<table role="presentation" cellpadding="0" cellspacing="0" border="0" lang="${lang}" style="border-collapse:collapse;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;color:${TEXT};">` +
    `<tr><td style="padding:0 0 4px;font-size:18px;font-weight:bold;">${escapeHtml(p.heading)}</td></tr>` +
    `<tr><td style="padding:0 0 12px;font-size:14px;color:${MUTED};">${escapeHtml(p.intro)}</td></tr>` +
    stars +
    `<tr><td style="padding:12px 0 0;font-size:13px;color:${MUTED};">${escapeHtml(s.emailHint)} <a href="${escapeHtml(pageUrl)}" style="color:${AMBER};">${escapeHtml(s.emailOpenPage)}</a>. ${escapeHtml(expires)}</td></tr>` +
    `</table>`;
  const text = [
    p.heading,
    p.intro,
    '',
    ...ratingUrls.map((url, i) => fill(s.emailStarLine, { rating: i + 1, max, url })),
    '',
    s.emailHint,
    `${s.emailOpenPage}: ${pageUrl}`,
    expires,
    '',
  ].join('\n');
  return { html, text };
}
