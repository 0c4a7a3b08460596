// Civil dates in an IANA time zone (Intl only): the dashboard's periods start at local midnights, as the
// server's csatTrend buckets do (src/insights/time-zone.ts holds the server's own copy of the same rules).

/** A civil date as a UTC day number (days since 1970-01-01): arithmetic on it is calendar arithmetic. */
export type Day = number;
const DAY_MS = 86_400_000;

export interface Zone {
  name: string;
  /** The civil date at an instant. */
  dayAt(ms: number): Day;
  /** The first instant of a civil date (local midnight, or the end of a DST gap that swallowed it). */
  startOf(day: Day): number;
}

const PARTS = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

/** The browser's own zone when `name` is empty; an unknown name is the browser's zone too. */
export function zone(name: string | null | undefined): Zone {
  let format: Intl.DateTimeFormat;
  const options: Intl.DateTimeFormatOptions = { hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' };
  try {
    format = new Intl.DateTimeFormat('en-US', { ...options, timeZone: name || undefined });
  } catch {
    format = new Intl.DateTimeFormat('en-US', options);
  }
  const wall = (ms: number): number => {
    const p = PARTS.exec(format.format(ms))!;
    return Date.UTC(Number(p[3]), Number(p[1]) - 1, Number(p[2]), Number(p[4]), Number(p[5]), Number(p[6]));
  };
  const dayAt = (ms: number) => Math.floor(wall(ms) / DAY_MS);
  const startOf = (day: Day): number => {
    const key = day * DAY_MS;
    let t = key - (wall(key) - key);
    t = key - (wall(t) - t);
    if (wall(t) === key && wall(t - 1) < key) return t;
    let lo = key - 30 * 3_600_000;
    let hi = key + 30 * 3_600_000;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (wall(mid) >= key) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  return { name: format.resolvedOptions().timeZone, dayAt, startOf };
}

/** The civil date `day` as YYYY-MM-DD (a date input's value). */
export const dayText = (day: Day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const dayOfText = (text: string): Day | null => (/^\d{4}-\d\d-\d\d$/.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) ? Date.parse(`${text}T00:00:00Z`) / DAY_MS : null);
/** The first day of the year of `day`. */
export const yearStart = (day: Day) => Date.UTC(new Date(day * DAY_MS).getUTCFullYear(), 0, 1) / DAY_MS;
