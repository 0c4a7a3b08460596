// Civil dates in an IANA time zone through Intl (pure, no I/O): what a trend's buckets are cut on.
import { BadUserInputError } from '../errors/domain.errors.js';

/** A civil (wall-calendar) date: month 0-11, as Date.UTC takes it. */
export interface CivilDate {
  y: number;
  m: number;
  d: number;
}

export interface ZoneClock {
  /** The canonical IANA name (Intl's). */
  zone: string;
  /** The civil date at an instant. */
  dateAt(ms: number): CivilDate;
  /** The first instant of a civil date: local midnight, or the end of a DST gap that swallowed it. */
  startOf(date: CivilDate): number;
}

const HOUR = 3_600_000;
const MAX_ZONE_LENGTH = 64;

/** Validates `timeZone` (an IANA name Intl knows; `extensions.field: "timeZone"`) and returns Intl's canonical spelling. */
export function checkTimeZone(name: string | null | undefined): string {
  const zone = name ?? 'UTC';
  const bad = () => new BadUserInputError(`timeZone: not an IANA time zone name: ${JSON.stringify(zone.slice(0, MAX_ZONE_LENGTH))}`, 'timeZone');
  // Offsets such as "+02:00" are valid for Intl but are no zone: a trend over a DST change needs the zone's rules.
  if (zone.length === 0 || zone.length > MAX_ZONE_LENGTH || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) throw bad();
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw bad();
  }
}

export const civilKey = (c: CivilDate) => Date.UTC(c.y, c.m, c.d);
export const civilOf = (key: number): CivilDate => {
  const d = new Date(key);
  return { y: d.getUTCFullYear(), m: d.getUTCMonth(), d: d.getUTCDate() };
};

const UTC_CLOCK: ZoneClock = {
  zone: 'UTC',
  dateAt: (ms) => civilOf(Math.floor(ms / 86_400_000) * 86_400_000),
  startOf: (c) => civilKey(c),
};

const clocks = new Map<string, ZoneClock>();

/** A clock for a zone already checked by checkTimeZone (formatters are costly to build: one per zone, kept). */
export function zoneClock(zone: string): ZoneClock {
  if (zone === 'UTC') return UTC_CLOCK;
  let clock = clocks.get(zone);
  if (clock) return clock;
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  // format() and a regular expression: about three times cheaper than formatToParts (400 buckets call it ~800 times).
  const PARTS = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;
  /** The wall time at `ms` read as if it were UTC (so wall − ms is the zone's offset then, to the second). */
  const wall = (ms: number): number => {
    const p = PARTS.exec(format.format(ms));
    if (!p) throw new Error(`unexpected Intl output for ${zone}`);
    return Date.UTC(Number(p[3]), Number(p[1]) - 1, Number(p[2]), Number(p[4]), Number(p[5]), Number(p[6]));
  };
  const dateAt = (ms: number) => civilOf(Math.floor(wall(ms) / 86_400_000) * 86_400_000);
  // The offset of the last midnight found: the next bucket's is the same unless a DST change lies between.
  let offset = 0;
  const startOf = (c: CivilDate): number => {
    const key = civilKey(c);
    // Local midnight, the first instant of the date when the wall clock before it shows an earlier date.
    const isStart = (t: number) => wall(t) === key && wall(t - 1) < key;
    let t = key - offset;
    if (isStart(t)) return t;
    // Two steps of "wall time minus the offset then" land on local midnight whenever it exists once.
    t = key - (wall(key) - key);
    t = key - (wall(t) - t);
    if (isStart(t)) {
      offset = key - t;
      return t;
    }
    // Midnight skipped (a DST gap at 00:00) or repeated: the first instant whose date is `c`, by bisection.
    let lo = key - 30 * HOUR;
    let hi = key + 30 * HOUR;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (wall(mid) >= key) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  clock = { zone, dateAt, startOf };
  clocks.set(zone, clock);
  return clock;
}
