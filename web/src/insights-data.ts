// What <csat-insights> asks for, in one GraphQL request (this subgraph's root fields only), and the periods
// it asks about.
import { THEMES_FIELD, type Theme } from './csat-themes.js';
import { dayText, yearStart, type Day, type Zone } from './zone.js';

export type Preset = 'last7' | 'last30' | 'last90' | 'thisYear' | 'custom';
export const PRESETS: Preset[] = ['last7', 'last30', 'last90', 'thisYear', 'custom'];
export type TrendInterval = 'DAY' | 'WEEK' | 'MONTH';

export interface Period {
  preset: Preset;
  /** First and last civil day (inclusive) in the zone. */
  first: Day;
  last: Day;
  /** [from, to): local midnights; the previous period is [prevFrom, from), as many days. */
  from: number;
  to: number;
  prevFrom: number;
  interval: TrendInterval;
}

/** The trend's interval for a period of `days` days: days up to 60, weeks up to a year, months beyond. */
export const intervalFor = (days: number): TrendInterval => (days <= 60 ? 'DAY' : days <= 366 ? 'WEEK' : 'MONTH');

/** A preset's days ending today in the zone, or a custom range (first..last inclusive, in either order). */
export function periodOf(preset: Preset, zone: Zone, now: number, custom?: { first: Day; last: Day } | null): Period {
  const today = zone.dayAt(now);
  let first: Day;
  let last: Day = today;
  if (preset === 'custom' && custom) [first, last] = custom.first <= custom.last ? [custom.first, custom.last] : [custom.last, custom.first];
  else if (preset === 'thisYear') first = yearStart(today);
  else first = today - ({ last7: 7, last30: 30, last90: 90, custom: 30, thisYear: 0 }[preset] - 1);
  const days = last - first + 1;
  return { preset, first, last, from: zone.startOf(first), to: zone.startOf(last + 1), prevFrom: zone.startOf(first - days), interval: intervalFor(days) };
}

export { dayText };

export interface Interval {
  low: number;
  high: number;
}

export interface Summary {
  count: number;
  average: number | null;
  averageInterval: Interval | null;
  satisfiedShare: number | null;
  satisfiedInterval: Interval | null;
  offered: number;
  responseRate: number | null;
  responseInterval: Interval | null;
  distribution?: { rating: number; count: number; share: number | null }[];
}

export interface TrendPoint {
  start: string;
  end: string;
  count: number;
  average: number | null;
  satisfiedShare: number | null;
  satisfiedInterval: Interval | null;
}

export interface AgentRow {
  assigneeId: string | null;
  count: number;
  average: number | null;
  satisfiedShare: number | null;
  satisfiedInterval: Interval | null;
}

export interface UnhappyRating {
  rating: number;
  comment: string | null;
  ratedAt: string;
  assigneeId: string | null;
  ticket: { id: string };
}

export interface InsightsData {
  current: Summary;
  previous: Summary;
  trend: TrendPoint[];
  agents: AgentRow[];
  unhappy: UnhappyRating[];
  themes: Theme[];
}

const SUMMARY = 'count average averageInterval { low high } satisfiedShare satisfiedInterval { low high } offered responseRate responseInterval { low high }';

/** The dashboard's one request: both summaries, the trend, the ranking (the period only: every agent), the unhappy list and the themes. */
export const INSIGHTS_QUERY = `query CsatInsights($filter: CsatRatingFilter!, $previous: CsatRatingFilter!, $period: CsatRatingFilter!, $unhappy: CsatRatingFilter!, $interval: CsatInterval!, $timeZone: String!) {
  current: csatSummary(filter: $filter) { ${SUMMARY} distribution { rating count share } }
  previous: csatSummary(filter: $previous) { ${SUMMARY} }
  trend: csatTrend(filter: $filter, interval: $interval, timeZone: $timeZone) { start end count average satisfiedShare satisfiedInterval { low high } }
  agents: csatAgentSummaries(filter: $period, first: 100) { edges { node { assigneeId count average satisfiedShare satisfiedInterval { low high } } } }
  unhappy: csatRatings(filter: $unhappy, orderBy: UNHAPPY_FIRST, first: 5) { edges { node { rating comment ratedAt assigneeId ticket { id } } } }
  ${THEMES_FIELD}
}`;

export function insightsVariables(period: Period, assigneeIds: string[] | null, timeZone: string) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const agents = assigneeIds?.length ? { assigneeIds } : {};
  const range = { ratedFrom: iso(period.from), ratedTo: iso(period.to) };
  return {
    filter: { ...range, ...agents },
    previous: { ratedFrom: iso(period.prevFrom), ratedTo: iso(period.from), ...agents },
    period: range,
    unhappy: { ...range, ...agents, ratings: [1, 2], hasComment: true },
    interval: period.interval,
    timeZone,
  };
}

export function readInsights(data: Record<string, any>): InsightsData {
  return {
    current: data.current,
    previous: data.previous,
    trend: data.trend,
    agents: data.agents.edges.map((e: any) => e.node),
    unhappy: data.unhappy.edges.map((e: any) => e.node),
    themes: data.themes ?? [],
  };
}

/** A change is real when the two 95 % intervals do not overlap (a conservative test: it rarely cries wolf). */
export function significant(a: Interval | null, b: Interval | null): boolean {
  return Boolean(a && b && (a.low > b.high || b.low > a.high));
}
