// The statistics module against known values, and (fast-check) against an independent computation: the raw
// ratings expanded from the distribution, and Student's t quantile by numerical integration of its density.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodPlan } from '../src/insights/period.plan.js';
import { incompleteBeta, ratingStatistics, responseStatistics, tQuantile975, wilsonInterval, type Distribution } from '../src/insights/statistics.js';

/** ln Γ by Stirling's series after shifting x above 10: independent of the module's Lanczos. */
function lnGamma(x: number): number {
  let shift = 0;
  while (x < 10) shift -= Math.log(x++);
  const inv = 1 / x;
  const inv2 = inv * inv;
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
}

/** P(0 < T < t) by Simpson's rule on the density; the 0.975 quantile is where it reaches 0.475. */
const integrated = new Map<number, number>();
function tQuantileByIntegration(df: number): number {
  const known = integrated.get(df);
  if (known !== undefined) return known;
  const c = Math.exp(lnGamma((df + 1) / 2) - lnGamma(df / 2)) / Math.sqrt(df * Math.PI);
  const density = (x: number) => c * (1 + (x * x) / df) ** (-(df + 1) / 2);
  const mass = (t: number) => {
    const steps = 2000;
    const h = t / steps;
    let s = density(0) + density(t);
    for (let i = 1; i < steps; i++) s += density(i * h) * (i % 2 ? 4 : 2);
    return (s * h) / 3;
  };
  let lo = 1.9;
  let hi = 13;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (mass(mid) < 0.475) lo = mid;
    else hi = mid;
  }
  integrated.set(df, (lo + hi) / 2);
  return (lo + hi) / 2;
}

describe('Student t quantile', () => {
  it.each([
    [1, 12.706],
    [2, 4.303],
    [9, 2.262],
    [10, 2.228],
    [29, 2.045],
    [30, 2.042],
    [100, 1.984],
    [1000, 1.962],
    [Infinity, 1.95996],
  ])('t(0.975, %s) = %s', (df, expected) => {
    expect(tQuantile975(df)).toBeCloseTo(expected, 3);
  });

  it('agrees with numerical integration of the density at every df, either side of the switch to the expansion', () => {
    for (const df of [1, 3, 7, 15, 42, 150, 199, 200, 201, 250, 800]) {
      expect(Math.abs(tQuantile975(df) - tQuantileByIntegration(df))).toBeLessThan(1e-6);
    }
  });

  it('refuses df below 1', () => {
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('the incomplete beta function has its symmetry', () => {
    fc.assert(fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), fc.double({ min: 0.5, max: 50, noNaN: true }), fc.double({ min: 0.5, max: 50, noNaN: true }), (x, a, b) => {
      expect(incompleteBeta(x, a, b) + incompleteBeta(1 - x, b, a)).toBeCloseTo(1, 9);
    }));
  });
});

describe('Wilson interval', () => {
  it('8 of 10 is [0.4902, 0.9433]', () => {
    const i = wilsonInterval(8, 10)!;
    expect(i.low).toBeCloseTo(0.4902, 4);
    expect(i.high).toBeCloseTo(0.9433, 4);
  });

  it('is null for n = 0, and stays inside [0, 1] at the extremes', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(wilsonInterval(0, 5)!.low).toBe(0);
    expect(wilsonInterval(5, 5)!.high).toBe(1);
    expect(wilsonInterval(1, 1)!.low).toBeCloseTo(0.2065, 4);
  });
});

const Z = 1.959964;
/** Wilson's bounds as the roots of (p̂ − p)² = z² p (1 − p) / n: the quadratic solved directly. */
function wilsonByQuadratic(k: number, n: number) {
  const p = k / n;
  const a = 1 + (Z * Z) / n;
  const b = -(2 * p + (Z * Z) / n);
  const c = p * p;
  const root = Math.sqrt(Math.max(0, b * b - 4 * a * c));
  return { low: (-b - root) / (2 * a), high: (-b + root) / (2 * a) };
}

describe('ratingStatistics', () => {
  it('is all null for no ratings, with five empty buckets', () => {
    const s = ratingStatistics([0, 0, 0, 0, 0], 0);
    expect(s).toMatchObject({ count: 0, average: null, averageInterval: null, satisfiedShare: null, satisfiedInterval: null, commentShare: null });
    expect(s.distribution).toEqual([1, 2, 3, 4, 5].map((rating) => ({ rating, count: 0, share: null })));
  });

  it('one rating: an average, no interval of the mean', () => {
    const s = ratingStatistics([0, 0, 0, 0, 1], 1);
    expect(s).toMatchObject({ count: 1, average: 5, averageInterval: null, satisfiedShare: 1, commentShare: 1 });
  });

  it('equals an independent computation over the raw ratings, for any distribution', () => {
    const counts = fc.tuple(fc.nat(50), fc.nat(50), fc.nat(50), fc.nat(50), fc.nat(50));
    fc.assert(
      fc.property(counts, fc.nat(300), (distribution, c) => {
        const values = distribution.flatMap((k, i) => Array.from({ length: k }, () => i + 1));
        const n = values.length;
        const commented = Math.min(c, n);
        const s = ratingStatistics(distribution as Distribution, commented);
        expect(s.count).toBe(n);
        if (n === 0) return;
        const mean = values.reduce((a, b) => a + b, 0) / n;
        expect(s.average).toBeCloseTo(mean, 10);
        expect(s.distribution.map((b) => b.share)).toEqual(distribution.map((k) => k / n));
        const satisfied = values.filter((v) => v >= 4).length;
        expect(s.satisfiedShare).toBeCloseTo(satisfied / n, 12);
        const w = wilsonByQuadratic(satisfied, n);
        expect(s.satisfiedInterval!.low).toBeCloseTo(w.low, 9);
        expect(s.satisfiedInterval!.high).toBeCloseTo(w.high, 9);
        expect(s.commentShare).toBeCloseTo(commented / n, 12);
        if (n < 2) {
          expect(s.averageInterval).toBeNull();
          return;
        }
        const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
        const half = (tQuantileByIntegration(n - 1) * sd) / Math.sqrt(n);
        expect(s.averageInterval!.low).toBeCloseTo(Math.max(1, mean - half), 6);
        expect(s.averageInterval!.high).toBeCloseTo(Math.min(5, mean + half), 6);
      }),
      { numRuns: 40 },
    );
  });

  it('clamps the mean interval to [1, 5]', () => {
    const s = ratingStatistics([1, 0, 0, 0, 1], 0);
    expect(s.averageInterval).toEqual({ low: 1, high: 5 });
  });
});

describe('responseStatistics', () => {
  it('is null without offers, and a Wilson interval otherwise', () => {
    expect(responseStatistics(0, 0)).toEqual({ offered: 0, responseRate: null, responseInterval: null });
    expect(responseStatistics(10, 8)).toMatchObject({ offered: 10, responseRate: 0.8, responseInterval: wilsonInterval(8, 10) });
  });
});

describe('counts a store should never hold (a hand-edited rollup)', () => {
  const finite = (x: unknown): boolean =>
    x === null || (typeof x === 'number' ? Number.isFinite(x) : typeof x === 'object' ? Object.values(x as object).every(finite) : true);
  it('never yield NaN, Infinity or a share outside [0, 1], and clamp what cannot be', () => {
    const anyCount = fc.oneof(fc.integer({ min: -1e6, max: 1e6 }), fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 40));
    fc.assert(
      fc.property(fc.tuple(anyCount, anyCount, anyCount, anyCount, anyCount), anyCount, anyCount, anyCount, (d, commented, offered, rated) => {
        const r = ratingStatistics(d as unknown as Distribution, commented);
        const s = responseStatistics(offered, rated);
        expect(finite(r) && finite(s)).toBe(true);
        for (const share of [r.satisfiedShare, r.commentShare, s.responseRate, ...r.distribution.map((b) => b.share)]) if (share !== null) expect(share >= 0 && share <= 1).toBe(true);
        for (const i of [r.satisfiedInterval, s.responseInterval]) if (i) expect(0 <= i.low && i.low <= i.high && i.high <= 1).toBe(true);
      }),
    );
    expect(responseStatistics(40, 47)).toMatchObject({ offered: 40, responseRate: 1, responseInterval: { high: 1 } });
    expect(wilsonInterval(-3, 10)).toEqual(wilsonInterval(0, 10));
  });
});

describe('periodPlan (rollup months, rollup days, rows)', () => {
  const DAY = 86_400_000;
  it('covers [from, to) exactly once, whole months from the monthly rollup, whole days from the daily one', () => {
    const instant = fc.option(fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 31) }).map((ms) => (ms % 3 === 0 ? Math.floor(ms / DAY) * DAY : ms)), { nil: null });
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: Date.UTC(2023, 6, 1), max: Date.UTC(2027, 6, 1) }), (a, b, probe) => {
        const [from, to] = a !== null && b !== null && a > b ? [b, a] : [a, b];
        const plan = periodPlan(from === null ? null : new Date(from), to === null ? null : new Date(to));
        const inside = (from === null || probe >= from) && (to === null || probe < to);
        const day = new Date(Math.floor(probe / DAY) * DAY).toISOString().slice(0, 10);
        const month = `${day.slice(0, 7)}-01`;
        const inRange = (r: { from: string | null; to: string | null }, key: string) => (r.from === null || key >= r.from) && (r.to === null || key < r.to);
        const hits =
          (plan.months && inRange(plan.months, month) ? 1 : 0) +
          plan.days.filter((r) => inRange(r, day)).length +
          plan.edges.filter(([x, y]) => probe >= x.getTime() && probe < y.getTime()).length;
        expect(hits).toBe(inside ? 1 : 0);
        for (const r of plan.days) if (r.from && r.to) expect(r.from < r.to).toBe(true);
        // Rows only for parts of days: under two days in all (from 00:13 to 08:12 the next day is one range).
        expect(plan.edges.every(([x, y]) => y.getTime() - x.getTime() < 2 * DAY && x < y)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('an empty period reads nothing', () => {
    const at = new Date('2026-05-05T10:00:00Z');
    expect(periodPlan(at, at)).toMatchObject({ empty: true });
  });
});
