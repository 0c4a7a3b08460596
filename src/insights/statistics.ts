// The statistics of a summary, from the distribution alone (counts of 1..5 stars): pure functions, no I/O.
// Definitions: docs/contract.md (Insights, precise definitions).

import { RATING_MAX, RATING_MIN } from '../rating/rating.rules.js';

export interface Interval {
  low: number;
  high: number;
}

/** The z of a 95 % two-sided interval (the contract's constant). */
export const Z_95 = 1.959964;

/** ln Γ(x), Lanczos (g = 7, n = 9): about 15 significant digits for x > 0. */
function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10_000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(x, a, b)) / a : 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T > t) for Student's t with df degrees of freedom, t ≥ 0. */
function tUpperTail(t: number, df: number): number {
  return 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Above this, the Cornish-Fisher expansion in 1/df is exact to far below the bisection's tolerance. */
const EXPANSION_DF = 200;
const Z_975 = 1.959963984540054;

/**
 * The 0.975 quantile of Student's t with df degrees of freedom (df ≥ 1): bisection on the exact tail (the
 * incomplete beta function) up to 200 df, the Cornish-Fisher expansion above, the normal quantile at ∞.
 */
export function tQuantile975(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be at least 1, got ${df}`);
  if (df === Infinity) return Z_975;
  if (df > EXPANSION_DF) {
    const z = Z_975;
    const z2 = z * z;
    return (
      z +
      (z * (z2 + 1)) / (4 * df) +
      (z * (5 * z2 * z2 + 16 * z2 + 3)) / (96 * df ** 2) +
      (z * (3 * z2 ** 3 + 19 * z2 ** 2 + 17 * z2 - 15)) / (384 * df ** 3) +
      (z * (79 * z2 ** 4 + 776 * z2 ** 3 + 1482 * z2 ** 2 - 1920 * z2 - 945)) / (92160 * df ** 4)
    );
  }
  let lo = Z_975;
  let hi = 20;
  while (tUpperTail(hi, df) > 0.025) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (tUpperTail(mid, df) > 0.025) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Counts from a store are whole and non-negative, but a hand-edited rollup may say otherwise: never NaN out. */
const count = (x: number, max = Infinity) => (Number.isFinite(x) ? Math.min(Math.max(x, 0), max) : 0);

/** The Wilson score interval of `successes` out of `n` (clamped to [0, n]); null when n = 0. */
export function wilsonInterval(successes: number, n: number, z = Z_95): Interval | null {
  if (!(n > 0) || !Number.isFinite(n)) return null;
  successes = count(successes, n);
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // Exact at the ends (0 of n, n of n), where rounding would leave 1e-17.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === n ? 1 : Math.min(1, centre + half) };
}

/** The counts of ratings 1..5 (index 0 is 1 star). */
export type Distribution = readonly [number, number, number, number, number];

export interface RatingStatistics {
  count: number;
  average: number | null;
  averageInterval: Interval | null;
  distribution: { rating: number; count: number; share: number | null }[];
  satisfiedShare: number | null;
  satisfiedInterval: Interval | null;
  commentShare: number | null;
}

export interface ResponseStatistics {
  offered: number;
  responseRate: number | null;
  responseInterval: Interval | null;
}

/** Mean, its Student-t interval (clamped to 1..5), the shares and the Wilson interval of 4-5 stars. */
export function ratingStatistics(counts: Distribution, comments: number): RatingStatistics {
  const distribution = counts.map((c) => count(c)) as unknown as Distribution;
  const n = distribution.reduce((s, c) => s + c, 0);
  const commented = count(comments, n);
  const buckets = distribution.map((count, i) => ({ rating: i + 1, count, share: n ? count / n : null }));
  if (n === 0) {
    return { count: 0, average: null, averageInterval: null, distribution: buckets, satisfiedShare: null, satisfiedInterval: null, commentShare: null };
  }
  const mean = distribution.reduce((s, c, i) => s + c * (i + 1), 0) / n;
  let averageInterval: Interval | null = null;
  if (n >= 2) {
    const variance = distribution.reduce((s, c, i) => s + c * (i + 1 - mean) ** 2, 0) / (n - 1);
    const half = (tQuantile975(n - 1) * Math.sqrt(variance)) / Math.sqrt(n);
    averageInterval = { low: Math.max(RATING_MIN, mean - half), high: Math.min(RATING_MAX, mean + half) };
  }
  const satisfied = distribution[3] + distribution[4];
  return {
    count: n,
    average: mean,
    averageInterval,
    distribution: buckets,
    satisfiedShare: satisfied / n,
    satisfiedInterval: wilsonInterval(satisfied, n),
    commentShare: commented / n,
  };
}

/** The share of offers that were rated (at most all of them), with its Wilson interval; null without offers. */
export function responseStatistics(offers: number, rated: number): ResponseStatistics {
  const offered = count(offers);
  return { offered, responseRate: offered ? count(rated, offered) / offered : null, responseInterval: wilsonInterval(rated, offered) };
}
