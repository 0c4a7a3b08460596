// Text and numbers: every string replaceable (the `strings` property or attribute, as JSON), `lang` for Intl
// and for the catalogue (catalogue.ts) the default texts come from.

/** `{name}` placeholders filled from `values`; unknown names stay as they are. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
}

const numberFormats = new Map<string, Intl.NumberFormat>();

export function formatNumber(lang: string | undefined, n: number): string {
  const key = lang ?? '';
  let f = numberFormats.get(key);
  if (!f) numberFormats.set(key, (f = new Intl.NumberFormat(lang)));
  return f.format(n);
}

/** The language of an element: its own `lang`, else the nearest ancestor's (through shadow roots), else the browser's. */
export function langOf(el: HTMLElement): string | undefined {
  for (let node: Node | null = el; node; node = node.parentNode ?? (node as ShadowRoot).host ?? null) {
    if (node instanceof HTMLElement && node.lang) return supported(node.lang);
  }
  return undefined;
}

function supported(lang: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(lang)[0];
  } catch {
    return undefined;
  }
}

/** Ratings are 1..5 everywhere in this contract. */
export const MAX = 5;

/** Unicode White_Space (and the BOM) at either end, as the server trims a comment before counting it. */
const EDGE_WHITE_SPACE = /^[\p{White_Space}\uFEFF]+|[\p{White_Space}\uFEFF]+$/gu;

export const COMMENT_MAX = 2000;

/** The comment as the server stores it: trimmed, null when empty. */
export function normaliseComment(text: string): string | null {
  const t = text.replace(EDGE_WHITE_SPACE, '');
  return t === '' ? null : t;
}

/** Code points, as the server (PostgreSQL's char_length) counts them: an emoji is one. */
export function codePoints(text: string | null): number {
  let n = 0;
  if (text) for (const _ of text) n++;
  return n;
}

/** "3 hours ago", through Intl.RelativeTimeFormat, in the largest unit that fits. */
export function relativeTime(lang: string | undefined, then: Date, now: Date): string {
  const seconds = (then.getTime() - now.getTime()) / 1000;
  const abs = Math.abs(seconds);
  const steps: [Intl.RelativeTimeFormatUnit, number, number][] = [
    ['second', 1, 45],
    ['minute', 60, 45 * 60],
    ['hour', 3600, 22 * 3600],
    ['day', 86400, 26 * 86400],
    ['month', 2_629_800, 320 * 86400],
    ['year', 31_557_600, Infinity],
  ];
  const [unit, size] = steps.find(([, , below]) => abs < below)!;
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }).format(Math.round(seconds / size), unit);
}

export function exactTime(lang: string | undefined, d: Date): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export type { ErrorStrings } from './catalogue.js';
import type { ErrorStrings } from './catalogue.js';

export function errorText(s: ErrorStrings, code: string): string {
  switch (code) {
    case 'TICKET_NOT_RESOLVED':
      return s.errorNotResolved;
    case 'CSAT_DISABLED':
      return s.errorDisabled;
    case 'NETWORK':
      return s.errorNetwork;
    case 'SERVICE_UNAVAILABLE':
      return s.errorBusy;
    default:
      return s.errorOther;
  }
}
