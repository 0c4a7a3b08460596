// How a summary's period splits between the monthly rollups, the daily rollups and the rows (pure).

const DAY_MS = 86_400_000;

/** A range of rollup buckets by their `day` column (YYYY-MM-DD; null: open). */
export interface DayRange {
  from: string | null;
  to: string | null;
}

/**
 * A period for the rollups and the rows: [from, to) is the whole months `months` (the monthly rollups), plus the
 * whole days `days` at either end (the daily rollups), plus the parts of a day at either end (`edges`, from the
 * rows). Null bounds are open. `empty`: nothing can match.
 */
export interface PeriodPlan {
  empty: boolean;
  months: DayRange | null;
  days: DayRange[];
  edges: [Date, Date][];
}

/**
 * An instant as PostgreSQL reads it: toISOString, except that a year past 9999 is written as digits
 * ("10000-01-01T…", not "+010000-01-01T…"): a period from 9999-12-31 rounds its day and month up to 10000-01-01.
 */
export const sqlInstant = (d: Date): string => {
  const iso = d.toISOString();
  return iso.startsWith('+') ? iso.slice(1).replace(/^0+(?=\d{5})/, '') : iso;
};
const dayText = (ms: number) => sqlInstant(new Date(ms)).split('T')[0]!;
// Date.UTC would read the years 0-99 as 1900-1999; setUTCFullYear takes them as they are.
const monthStart = (year: number, month: number) => new Date(0).setUTCFullYear(year, month, 1);
const monthFloor = (ms: number) => monthStart(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth());
const monthCeil = (ms: number) => (monthFloor(ms) === ms ? ms : monthStart(new Date(ms).getUTCFullYear(), new Date(ms).getUTCMonth() + 1));

export function periodPlan(from: Date | null, to: Date | null): PeriodPlan {
  const f = from?.getTime() ?? null;
  const t = to?.getTime() ?? null;
  if (f !== null && t !== null && f >= t) return { empty: true, months: null, days: [], edges: [] };
  const firstDay = f === null ? null : Math.ceil(f / DAY_MS) * DAY_MS;
  const lastDay = t === null ? null : Math.floor(t / DAY_MS) * DAY_MS;
  if (firstDay !== null && lastDay !== null && firstDay >= lastDay) return { empty: false, months: null, days: [], edges: [[from!, to!]] };
  const edges: [Date, Date][] = [];
  if (f !== null && f < firstDay!) edges.push([from!, new Date(firstDay!)]);
  if (t !== null && lastDay! < t) edges.push([new Date(lastDay!), to!]);
  const firstMonth = firstDay === null ? null : monthCeil(firstDay);
  const lastMonth = lastDay === null ? null : monthFloor(lastDay);
  const text = (ms: number | null) => (ms === null ? null : dayText(ms));
  if (firstMonth !== null && lastMonth !== null && firstMonth >= lastMonth) return { empty: false, months: null, days: [{ from: text(firstDay), to: text(lastDay) }], edges };
  const days: DayRange[] = [];
  if (firstDay !== null && firstDay < firstMonth!) days.push({ from: text(firstDay), to: text(firstMonth) });
  if (lastDay !== null && lastMonth! < lastDay) days.push({ from: text(lastMonth), to: text(lastDay) });
  return { empty: false, months: { from: text(firstMonth), to: text(lastMonth) }, days, edges };
}
