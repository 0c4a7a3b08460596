// A trend's buckets in a time zone, and how each UTC day of its period is read (pure, property-tested).
import { BadUserInputError } from '../errors/domain.errors.js';
import { civilKey, civilOf, type CivilDate, type ZoneClock } from './time-zone.js';

export type TrendInterval = 'DAY' | 'WEEK' | 'MONTH';

export const MAX_TREND_POINTS = 400;
const DAY = 86_400_000;

/** The first day of the bucket holding civil date `c`: itself, its ISO week's Monday, its month's first. */
function bucketFloor(c: CivilDate, interval: TrendInterval): CivilDate {
  if (interval === 'MONTH') return { y: c.y, m: c.m, d: 1 };
  if (interval === 'WEEK') return civilOf(civilKey(c) - ((new Date(civilKey(c)).getUTCDay() + 6) % 7) * DAY);
  return c;
}

function nextBucket(c: CivilDate, interval: TrendInterval): CivilDate {
  if (interval === 'MONTH') return civilOf(Date.UTC(c.y, c.m + 1, 1));
  return civilOf(civilKey(c) + (interval === 'WEEK' ? 7 : 1) * DAY);
}

/**
 * The bounds of the buckets of [from, to) (from < to): from, every bucket start in the zone strictly inside,
 * to. So bucket i is [bounds[i], bounds[i + 1]): the interval's day, ISO week (Monday) or month in the zone,
 * cut to the period. More than MAX_TREND_POINTS buckets is BAD_USER_INPUT (`interval`), found without
 * building them all.
 */
export function trendBounds(from: number, to: number, interval: TrendInterval, clock: ZoneClock): number[] {
  const bounds = [from];
  let c = nextBucket(bucketFloor(clock.dateAt(from), interval), interval);
  for (let start = clock.startOf(c); start < to; start = clock.startOf(c)) {
    if (start > bounds.at(-1)!) bounds.push(start);
    if (bounds.length > MAX_TREND_POINTS) {
      throw new BadUserInputError(`interval: ${interval} over this period gives more than ${MAX_TREND_POINTS} points; take a longer interval or a shorter period`, 'interval');
    }
    c = nextBucket(c, interval);
  }
  bounds.push(to);
  return bounds;
}

/** A range of rollup rows by their `day` column (YYYY-MM-DD), half-open. */
export interface DayRange {
  from: string;
  to: string;
}

/**
 * How a trend reads its period. Every UTC day the period touches is either read from the rating rows (the
 * parts inside the period), or taken whole from a rollup and counted in its "home" bucket (the bucket that
 * holds most of it), with the rows of its other parts moved: counted in their own bucket (or none, outside the
 * period) and taken off the home bucket. Each day takes whichever reads fewer hours of rows, so a bucket edge
 * inside a UTC day (any zone but UTC) costs at most half a day of rows, and a day wholly inside a bucket none.
 */
export interface TrendPlan {
  /** The buckets' bounds (trendBounds). */
  bounds: number[];
  /** Rollup days, half-open, as day numbers since 1970-01-01 (UTC); null: none. */
  rollupDays: { first: number; end: number } | null;
  /** The home bucket of each rollup day, as thresholds: from day `firstDay` on (until the next), bucket `bucket`. */
  homes: { firstDay: number; bucket: number }[];
  /** Whole UTC months (monthly rollup) whose every day has the same home; the other rollup days from the daily rollup. */
  months: DayRange[];
  days: DayRange[];
  /** Instant ranges read from the rows, sorted, disjoint. */
  rows: [number, number][];
}

const dayText = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

export function trendPlan(bounds: number[]): TrendPlan {
  const from = bounds[0]!;
  const to = bounds.at(-1)!;
  const rows: [number, number][] = [];
  const homeOf: number[] = [];
  let firstRollup: number | null = null;
  let bucket = 0;
  for (let day = Math.floor(from / DAY); day * DAY < to; day++) {
    const start = day * DAY;
    const end = start + DAY;
    while (bounds[bucket + 1]! <= start) bucket++;
    // The day's parts inside the period, one per bucket it meets.
    const parts: { bucket: number; s: number; e: number }[] = [];
    for (let b = bucket; b < bounds.length - 1 && bounds[b]! < end; b++) parts.push({ bucket: b, s: Math.max(start, bounds[b]!), e: Math.min(end, bounds[b + 1]!) });
    const inside = parts.reduce((sum, p) => sum + (p.e - p.s), 0);
    const home = parts.reduce((best, p) => (p.e - p.s > best.e - best.s ? p : best));
    if (DAY - (home.e - home.s) < inside) {
      firstRollup ??= day;
      homeOf.push(home.bucket);
      if (start < home.s) rows.push([start, home.s]);
      if (home.e < end) rows.push([home.e, end]);
    } else {
      // Rows only: this can only be the period's first or last day, so rollup days stay one run.
      for (const p of parts) rows.push([p.s, p.e]);
    }
  }
  const merged: [number, number][] = [];
  for (const r of rows) {
    const last = merged.at(-1);
    if (last && last[1] === r[0]) last[1] = r[1];
    else merged.push([r[0], r[1]]);
  }
  if (firstRollup === null) return { bounds, rollupDays: null, homes: [], months: [], days: [], rows: merged };
  const end = firstRollup + homeOf.length;
  const homes: TrendPlan['homes'] = [];
  homeOf.forEach((b, i) => {
    if (homes.at(-1)?.bucket !== b) homes.push({ firstDay: firstRollup + i, bucket: b });
  });
  // Whole UTC months inside the rollup days, all of one home: the monthly rollup's row counts for all of them.
  const months: DayRange[] = [];
  const days: DayRange[] = [];
  let cursor = firstRollup;
  const monthStart = (day: number) => Date.UTC(new Date(day * DAY).getUTCFullYear(), new Date(day * DAY).getUTCMonth(), 1) / DAY;
  const nextMonth = (day: number) => Date.UTC(new Date(day * DAY).getUTCFullYear(), new Date(day * DAY).getUTCMonth() + 1, 1) / DAY;
  for (let m = monthStart(firstRollup) === firstRollup ? firstRollup : nextMonth(firstRollup); nextMonth(m) <= end; m = nextMonth(m)) {
    if (homeOf[m - firstRollup] !== homeOf[nextMonth(m) - 1 - firstRollup]) continue;
    if (cursor < m) days.push({ from: dayText(cursor), to: dayText(m) });
    const last = months.at(-1);
    if (last && last.to === dayText(m)) last.to = dayText(nextMonth(m));
    else months.push({ from: dayText(m), to: dayText(nextMonth(m)) });
    cursor = nextMonth(m);
  }
  if (cursor < end) days.push({ from: dayText(cursor), to: dayText(end) });
  return { bounds, rollupDays: { first: firstRollup, end }, homes, months, days, rows: merged };
}

/** The home bucket of a rollup day, or null for a day read from rows only. */
export function homeBucket(plan: TrendPlan, day: number): number | null {
  if (!plan.rollupDays || day < plan.rollupDays.first || day >= plan.rollupDays.end) return null;
  let home = plan.homes[0]!.bucket;
  for (const h of plan.homes) {
    if (h.firstDay > day) break;
    home = h.bucket;
  }
  return home;
}
