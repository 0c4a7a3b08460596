// The counts a summary reads from the rollups, made possible before any statistic sees them (pure). Rollups that
// disagree with themselves (a hand-made import or edit: rated above offered, a negative count, a star outside
// 1..5, sums past 32 bits) are clamped, and each correction is described, for one warning in the log.

import { RATING_MAX, RATING_MIN } from '../rating/rating.rules.js';

/** GraphQL's Int. */
export const MAX_INT = 2_147_483_647;
/** A star's count at most, so that five of them still add up to an Int. */
export const MAX_BUCKET = Math.floor(MAX_INT / RATING_MAX);

/** Counts per assignee: ratings per star (with how many had a comment), and offers (with how many were rated). */
export interface AssigneeCounts {
  assigneeId: string | null;
  distribution: [number, number, number, number, number];
  commented: number;
  offered: number;
  rated: number;
}

export const emptyCounts = (assigneeId: string | null): AssigneeCounts => ({ assigneeId, distribution: [0, 0, 0, 0, 0], commented: 0, offered: 0, rated: 0 });

/** `x` within [0, max] (non-finite: 0); a note in `problems` when it was not. */
function clamp(x: number, max: number, problems: string[], describe: (x: number, fixed: number) => string): number {
  const fixed = Number.isFinite(x) ? Math.min(Math.max(x, 0), max) : 0;
  if (fixed !== x) problems.push(describe(x, fixed));
  return fixed;
}

/** Adds one row of a summary's statement (a star's ratings with comments, or offers with rated ones) to `counts`. */
export function addRow(counts: AssigneeCounts, row: { kind: 'r' | 'o'; rating: number | null; n: number; m: number }, problems: string[]): void {
  const who = `assignee ${counts.assigneeId ?? 'none'}`;
  if (row.kind === 'o') {
    const offered = clamp(row.n, MAX_INT, problems, (x, f) => `${who}: offered ${x} (counted as ${f})`);
    const rated = clamp(row.m, offered, problems, (x, f) => `${who}: rated ${x}${x > offered ? ` > offered ${offered}` : ''} (counted as ${f})`);
    counts.offered = Math.min(counts.offered + offered, MAX_INT);
    counts.rated = Math.min(counts.rated + rated, counts.offered);
    return;
  }
  const star = row.rating;
  if (star === null || !Number.isInteger(star) || star < RATING_MIN || star > RATING_MAX) {
    problems.push(`${who}: ${row.n} ratings of ${star} stars (ignored)`);
    return;
  }
  const n = clamp(row.n, MAX_BUCKET, problems, (x, f) => `${who}: ${x} ratings of ${star} (counted as ${f})`);
  counts.distribution[star - 1] = Math.min(counts.distribution[star - 1]! + n, MAX_BUCKET);
  counts.commented += clamp(row.m, n, problems, (x, f) => `${who}: ${x} of ${n} ${star}-star ratings with a comment (counted as ${f})`);
}

/** After adding every row (or summing assignees): no more comments than ratings, rated than offered, nothing past an Int. */
export function settle(counts: AssigneeCounts, problems: string[]): AssigneeCounts {
  const distribution = counts.distribution.map((c) => Math.min(c, MAX_BUCKET)) as AssigneeCounts['distribution'];
  const n = distribution.reduce((s, c) => s + c, 0);
  const offered = Math.min(counts.offered, MAX_INT);
  if (counts.commented > n) problems.push(`assignee ${counts.assigneeId ?? 'none'}: ${counts.commented} commented of ${n} ratings (counted as ${n})`);
  if (counts.rated > offered) problems.push(`assignee ${counts.assigneeId ?? 'none'}: rated ${counts.rated} > offered ${offered} (counted as ${offered})`);
  return { ...counts, distribution, commented: Math.min(counts.commented, n), offered, rated: Math.min(counts.rated, offered) };
}
