// The trend's buckets in a time zone and its reading plan, without a database: each bucket is one day, ISO week
// or month of the zone (checked against Intl's own civil dates, computed here independently), and every instant
// of the period counts exactly once, in its own bucket, whatever mix of rollups and moved rows the plan chose.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTimeZone, zoneClock } from '../src/insights/time-zone.js';
import { homeBucket, MAX_TREND_POINTS, trendBounds, trendPlan, type TrendInterval } from '../src/insights/trend.plan.js';

const DAY = 86_400_000;
// UTC; DST at 02:00/03:00; a half-hour offset; 45 minutes; DST at midnight (a day without 00:00); a 30-minute DST
// change; UTC+14 (a bucket edge late in the UTC day); a negative half-hour offset.
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Kiritimati', 'America/St_Johns'];
const INTERVALS: TrendInterval[] = ['DAY', 'WEEK', 'MONTH'];

/** The bucket's name of an instant, independently: Intl's civil date in the zone, to its day, ISO week's Monday or month. */
function bucketName(zone: string, interval: TrendInterval, ms: number): string {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);
  if (interval === 'DAY') return date;
  if (interval === 'MONTH') return date.slice(0, 7);
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

const span: Record<TrendInterval, number> = { DAY: 40 * DAY, WEEK: 200 * DAY, MONTH: 800 * DAY };

describe('trendBounds', () => {
  it('cuts the period where the bucket name changes in the zone, and nowhere else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...INTERVALS),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 1) }),
        fc.double({ min: 0.0001, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 0.9999, noNaN: true }), { minLength: 5, maxLength: 5 }),
        (zone, interval, from, f, probes) => {
          const to = from + Math.max(1, Math.floor(f * span[interval]));
          const bounds = trendBounds(from, to, interval, zoneClock(checkTimeZone(zone)));
          expect(bounds[0]).toBe(from);
          expect(bounds.at(-1)).toBe(to);
          for (let i = 1; i < bounds.length - 1; i++) {
            // A new bucket starts exactly here: the instant before is in another one.
            expect(bucketName(zone, interval, bounds[i]!)).not.toBe(bucketName(zone, interval, bounds[i]! - 1));
            expect(bounds[i]!).toBeGreaterThan(bounds[i - 1]!);
          }
          for (const p of probes) {
            const at = from + Math.floor(p * (to - from));
            const i = bounds.findIndex((b, k) => k < bounds.length - 1 && at >= b && at < bounds[k + 1]!);
            expect(bucketName(zone, interval, at)).toBe(bucketName(zone, interval, bounds[i]!));
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('DST in Berlin: the day of the spring change is 23 hours, of the autumn change 25; weeks start on Monday', () => {
    const berlin = zoneClock('Europe/Berlin');
    const iso = (ms: number[]) => ms.map((m) => new Date(m).toISOString());
    expect(iso(trendBounds(Date.parse('2026-03-28T23:00:00Z'), Date.parse('2026-03-30T22:00:00Z'), 'DAY', berlin))).toEqual([
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ]);
    expect(iso(trendBounds(Date.parse('2026-10-24T22:00:00Z'), Date.parse('2026-10-26T23:00:00Z'), 'DAY', berlin))).toEqual([
      '2026-10-24T22:00:00.000Z',
      '2026-10-25T23:00:00.000Z',
      '2026-10-26T23:00:00.000Z',
    ]);
    // 2026-03-23 and 2026-03-30 are Mondays; the second week starts after the change (UTC+2).
    expect(iso(trendBounds(Date.parse('2026-03-25T12:00:00Z'), Date.parse('2026-04-02T00:00:00Z'), 'WEEK', berlin))).toEqual([
      '2026-03-25T12:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
      '2026-04-02T00:00:00.000Z',
    ]);
    // Santiago skips midnight: 2026-09-06 starts at 01:00 local (04:00Z).
    expect(iso(trendBounds(Date.parse('2026-09-05T12:00:00Z'), Date.parse('2026-09-06T12:00:00Z'), 'DAY', zoneClock('America/Santiago')))).toEqual([
      '2026-09-05T12:00:00.000Z',
      '2026-09-06T04:00:00.000Z',
      '2026-09-06T12:00:00.000Z',
    ]);
  });

  it(`refuses more than ${MAX_TREND_POINTS} points (BAD_USER_INPUT naming interval), and allows exactly ${MAX_TREND_POINTS}`, () => {
    const utc = zoneClock('UTC');
    const from = Date.UTC(2025, 0, 1);
    expect(trendBounds(from, from + MAX_TREND_POINTS * DAY, 'DAY', utc)).toHaveLength(MAX_TREND_POINTS + 1);
    expect(() => trendBounds(from, from + MAX_TREND_POINTS * DAY + 1, 'DAY', utc)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'interval' }));
    // A century by day is refused without building 36,500 buckets first.
    expect(() => trendBounds(from, from + 36_500 * DAY, 'DAY', utc)).toThrow(/more than 400 points/);
  });

  it('timeZone: Intl\'s canonical name; anything else is BAD_USER_INPUT naming timeZone', () => {
    expect(checkTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(checkTimeZone(undefined)).toBe('UTC');
    for (const bad of ['Mars/Olympus', '', '+02:00', 'x'.repeat(100), 'Europe/Berlin; drop table']) {
      expect(() => checkTimeZone(bad)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'timeZone' }));
    }
  });
});

describe('trendPlan', () => {
  it('counts every instant of the period once, in its own bucket; nothing outside; months only when all their days share a home', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom(...INTERVALS),
        fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2026, 11, 1) }).map((ms) => (ms % 4 === 0 ? Math.floor(ms / DAY) * DAY : ms)),
        fc.double({ min: 0.00001, max: 1, noNaN: true }),
        fc.array(fc.double({ min: -0.2, max: 1.2, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (zone, interval, from, f, probes) => {
          const to = from + Math.max(1, Math.floor(f * span[interval]));
          const plan = trendPlan(trendBounds(from, to, interval, zoneClock(zone)));
          const n = plan.bounds.length - 1;
          const dayText = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
          for (const p of [...probes, 0, 0.99999]) {
            const at = Math.floor(from + p * (to - from));
            const day = Math.floor(at / DAY);
            const net = new Array<number>(n).fill(0);
            // What foldTrendRows does with a rating at `at`: its rollup row to the home of its day (a monthly row, whose
            // `day` is its month's first, to the home of that day), its row (when read) to its own bucket and off its day's home.
            const month = plan.months.find((r) => dayText(day) >= r.from && dayText(day) < r.to);
            const daily = plan.days.find((r) => dayText(day) >= r.from && dayText(day) < r.to);
            expect(Boolean(month) && Boolean(daily)).toBe(false);
            if (month) net[homeBucket(plan, Date.parse(`${dayText(day).slice(0, 7)}-01`) / DAY)!]! += 1;
            if (daily) net[homeBucket(plan, day)!]! += 1;
            expect(Boolean(month || daily)).toBe(homeBucket(plan, day) !== null);
            if (plan.rows.some(([s, e]) => at >= s && at < e)) {
              const own = plan.bounds.findIndex((b, k) => k < n && at >= b && at < plan.bounds[k + 1]!);
              if (own >= 0) net[own]! += 1;
              const home = homeBucket(plan, day);
              if (home !== null) net[home]! -= 1;
            }
            const own = at >= from && at < to ? plan.bounds.findIndex((b, k) => k < n && at >= b && at < plan.bounds[k + 1]!) : -1;
            expect(net).toEqual(net.map((_, k) => (k === own ? 1 : 0)));
          }
          // Rows are at most half of each UTC day a bucket edge falls in (plus the period's partial ends).
          const rowHours = plan.rows.reduce((s, [a, b]) => s + (b - a), 0) / 3_600_000;
          expect(rowHours).toBeLessThanOrEqual(12 * (n + 1) + 48);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('UTC months by MONTH are whole monthly-rollup rows; a UTC day inside a bucket reads no row', () => {
    const plan = trendPlan(trendBounds(Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1), 'MONTH', zoneClock('UTC')));
    expect(plan).toMatchObject({ months: [{ from: '2025-01-01', to: '2026-01-01' }], days: [], rows: [] });
    const week = trendPlan(trendBounds(Date.UTC(2025, 0, 6), Date.UTC(2025, 3, 7), 'WEEK', zoneClock('UTC')));
    expect(week).toMatchObject({ months: [], days: [{ from: '2025-01-06', to: '2025-04-07' }], rows: [] });
    expect(week.homes).toHaveLength(13);
  });
});
