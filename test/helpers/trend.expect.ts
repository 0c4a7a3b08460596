// csatTrend's expected points, computed independently from the stored rows: Intl's civil date of each rating
// in the zone names its bucket; the statistics come from the (separately tested) statistics module.
import { expect } from 'vitest';
import { ratingStatistics, responseStatistics, type Distribution } from '../../src/insights/statistics.js';
import type { SeededRating } from './insights.fixtures.js';

export const TREND_FIELDS = 'start end count average averageInterval { low high } satisfiedShare satisfiedInterval { low high } offered responseRate responseInterval { low high }';

export type Interval = 'DAY' | 'WEEK' | 'MONTH';
export interface TrendFilter {
  assigneeIds?: string[];
  ratings?: number[];
  ratedFrom?: string;
  ratedTo?: string;
  hasComment?: boolean;
  minCommentLength?: number;
}

/** The bucket's name of an instant, from Intl alone: its civil date in the zone, to the day, ISO week's Monday or month. */
const formats = new Map<string, Intl.DateTimeFormat>();
export function bucketName(zone: string, interval: Interval, ms: number): string {
  let format = formats.get(zone);
  if (!format) formats.set(zone, (format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })));
  const date = format.format(ms);
  if (interval === 'DAY') return date;
  if (interval === 'MONTH') return date.slice(0, 7);
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/** The names of the buckets [from, to) meets, in order (every zone's changes fall on whole quarter hours). */
export function bucketNames(zone: string, interval: Interval, from: number, to: number): string[] {
  const names: string[] = [];
  for (let t = from; t < to; t = Math.min(to, (Math.floor(t / (15 * 60_000)) + 1) * 15 * 60_000)) {
    const name = bucketName(zone, interval, t);
    if (names.at(-1) !== name) names.push(name);
  }
  return names;
}

/** The expected points: the rows grouped by bucket name here, then the (separately tested) statistics of each group. */
export function expectedTrend(data: SeededRating[], offers: { at: string; assignee: string | null; rated: boolean }[], f: TrendFilter, interval: Interval, zone: string, to: number) {
  const from = Date.parse(f.ratedFrom!);
  const names = bucketNames(zone, interval, from, to);
  const inPeriod = (at: string) => Date.parse(at) >= from && Date.parse(at) < to;
  const byAssignee = (a: string | null) => !f.assigneeIds || (a !== null && f.assigneeIds.includes(a));
  const nameOf = new Map<string, string>();
  const named = (at: string) => nameOf.get(at) ?? (nameOf.set(at, bucketName(zone, interval, Date.parse(at))), nameOf.get(at)!);
  return names.map((name) => {
    const inBucket = (at: string) => inPeriod(at) && named(at) === name;
    const matching = data.filter(
      (r) =>
        inBucket(r.rated_at) &&
        byAssignee(r.assignee_id) &&
        (!f.ratings || f.ratings.includes(r.rating)) &&
        (f.hasComment === undefined || (r.comment !== null) === f.hasComment) &&
        (f.minCommentLength === undefined || r.comment_length >= f.minCommentLength),
    );
    const distribution = [1, 2, 3, 4, 5].map((s) => matching.filter((r) => r.rating === s).length) as unknown as Distribution;
    const o = offers.filter((x) => inBucket(x.at) && byAssignee(x.assignee));
    const { count, average, averageInterval, satisfiedShare, satisfiedInterval } = ratingStatistics(distribution, 0);
    return { name, count, average, averageInterval, satisfiedShare, satisfiedInterval, ...responseStatistics(o.length, o.filter((x) => x.rated).length) };
  });
}

const round = (v: unknown) => JSON.parse(JSON.stringify(v), (_k, x) => (typeof x === 'number' ? Math.round(x * 1e9) / 1e9 : x));

/** Points as served against the expectation: names and bounds from Intl, counts and statistics from the rows. */
export function expectTrend(points: any[], expected: ReturnType<typeof expectedTrend>, zone: string, interval: Interval, from: number, to: number) {
  expect(points.map((p) => bucketName(zone, interval, Date.parse(p.start)))).toEqual(expected.map((e) => e.name));
  points.forEach((p, i) => {
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    expect(bucketName(zone, interval, end - 1)).toBe(expected[i]!.name);
    if (i === 0) expect(start).toBe(from);
    else expect(bucketName(zone, interval, start - 1)).not.toBe(expected[i]!.name);
    if (i === points.length - 1) expect(end).toBe(to);
    else expect(points[i + 1].start).toBe(p.end);
  });
  expect(round(points.map(({ start, end, ...rest }) => rest))).toEqual(round(expected.map(({ name, ...rest }) => rest)));
}

