import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import { BadUserInputError } from '../errors/domain.errors.js';
import type { Ticket } from '../ticket/ticket.type.js';
import { rankAgents, readAgentCursor } from './agent.ranking.js';
import { checkFirst, checkMinCount, filterHash, normaliseFilter, rollupAnswers } from './insights.filter.js';
import { CsatAgentOrder, CsatRatingOrder, type CsatTrendArgs, type CsatTrendPoint, type CsatAgentSummariesArgs, type CsatAgentSummaryConnection, type CsatRatingConnection, type CsatRatingsArgs, type CsatSummary, type CsatSummaryArgs } from './insights.types.js';
import { countRatings, findRatingPage, readRatingsCursor, type RatingRow } from './ratings.query.js';
import { ratingStatistics, responseStatistics, type Distribution } from './statistics.js';
import { emptyCounts, settle } from './counts.guard.js';
import { countsByAssignee, type AssigneeCounts, type SummaryCounts } from './summary.query.js';
import { lazyFollowUpCounts } from './follow-up.counts.js';
import { checkTimeZone, zoneClock } from './time-zone.js';
import { trendBounds, trendPlan } from './trend.plan.js';
import { countsByBucket } from './trend.query.js';

/** Where a summary reports rollups that disagree with themselves (the request's logger). */
export interface InsightsLog {
  warn(details: object, message: string): void;
}

/** One warning per answer whose counts had to be clamped (counts.guard.ts): what, for which workspace and query. */
function reportProblems(log: InsightsLog | undefined, workspaceId: string, query: string, counts: SummaryCounts): AssigneeCounts[] {
  if (counts.problems.length) {
    log?.warn({ workspaceId, query, problems: counts.problems.slice(0, 20), problemCount: counts.problems.length }, 'insights: inconsistent rollups, counts clamped (npm run rollups:check)');
  }
  return counts.rows;
}

/** The node's ticket: the entity the gateway completes, with this subgraph's CSAT fields as staff see them. */
function ticketOf(row: RatingRow): Ticket & { __typename: 'Ticket' } {
  return { __typename: 'Ticket', id: row.ticket_id, csatRating: row.rating, csatComment: row.comment, csatRatedAt: row.rated_at, csatCanRate: false };
}

export async function csatRatings(em: EntityManager, staff: Viewer, args: CsatRatingsArgs, log?: InsightsLog): Promise<CsatRatingConnection> {
  // Every check before any SQL.
  const filter = normaliseFilter(args.filter);
  // An explicit null takes the default, as leaving the argument out does.
  const order = args.orderBy ?? CsatRatingOrder.RATED_AT_DESC;
  const first = args.first ?? 50;
  checkFirst(first);
  const after = readRatingsCursor(args.after, order, filterHash(filter));
  const page = await findRatingPage(em, staff.workspace, filter, order, first, after);
  return {
    edges: page.rows.map((row, i) => ({
      cursor: page.cursors[i]!,
      node: {
        ticket: ticketOf(row),
        rating: row.rating,
        comment: row.comment,
        commentLength: row.comment_length,
        ratedAt: row.rated_at,
        assigneeId: row.assignee_id,
        reopenedSinceRating: row.reopened,
      },
    })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
    // graphql-js calls it only when totalCount is selected; the rollups answer it when they can (as a summary's count).
    totalCount: async () =>
      rollupAnswers(filter)
        ? sumCounts(reportProblems(log, staff.workspace, 'csatRatings.totalCount', await countsByAssignee(em, staff.workspace, filter, { offers: false }))).distribution.reduce((a, b) => a + b, 0)
        : countRatings(em, staff.workspace, filter),
  };
}

/** Sums the per-assignee counts into one (each already settled: the sum is clamped again, silently). */
export function sumCounts(rows: AssigneeCounts[]): AssigneeCounts {
  const total = emptyCounts(null);
  for (const r of rows) {
    r.distribution.forEach((c, i) => (total.distribution[i] = total.distribution[i]! + c));
    total.commented += r.commented;
    total.offered += r.offered;
    total.rated += r.rated;
  }
  return settle(total, []);
}

export function summaryOf(counts: AssigneeCounts): CsatSummary {
  return { ...ratingStatistics(counts.distribution as Distribution, counts.commented), ...responseStatistics(counts.offered, counts.rated) };
}

export async function csatSummary(em: EntityManager, staff: Viewer, args: CsatSummaryArgs, log?: InsightsLog): Promise<CsatSummary> {
  const filter = normaliseFilter(args.filter);
  const followUps = lazyFollowUpCounts(em, staff.workspace, filter);
  return { ...summaryOf(sumCounts(reportProblems(log, staff.workspace, 'csatSummary', await countsByAssignee(em, staff.workspace, filter)))), ...followUps() };
}

export async function csatAgentSummaries(em: EntityManager, staff: Viewer, args: CsatAgentSummariesArgs, log?: InsightsLog): Promise<CsatAgentSummaryConnection> {
  const filter = normaliseFilter(args.filter);
  const order = args.orderBy ?? CsatAgentOrder.SATISFIED_LOWER_BOUND_DESC;
  const first = args.first ?? 50;
  const minCount = args.minCount ?? 1;
  checkFirst(first);
  checkMinCount(minCount);
  const hash = filterHash(filter, { minCount });
  const after = readAgentCursor(args.after, order, hash);
  const followUps = lazyFollowUpCounts(em, staff.workspace, filter);
  const rows = reportProblems(log, staff.workspace, 'csatAgentSummaries', await countsByAssignee(em, staff.workspace, filter)).map((c) => ({ ...summaryOf(c), ...followUps(c.assigneeId), assigneeId: c.assigneeId }));
  return rankAgents(rows, order, hash, minCount, first, after);
}

/** csatTrend: every check before any SQL (filter, ratedFrom given, timeZone, at most 400 points), then one statement. */
export async function csatTrend(em: EntityManager, staff: Viewer, args: CsatTrendArgs, log?: InsightsLog): Promise<CsatTrendPoint[]> {
  const filter = normaliseFilter(args.filter);
  // **Decision**: a trend needs a start (an open period has no first bucket); its end defaults to now.
  if (!filter.ratedFrom) throw new BadUserInputError('filter.ratedFrom: a trend needs the start of its period', 'filter.ratedFrom');
  const from = filter.ratedFrom.getTime();
  const to = filter.ratedTo?.getTime() ?? Date.now();
  if (from > to) throw new BadUserInputError('filter.ratedFrom: ratedFrom must not be after ratedTo (now, when ratedTo is left out)', 'filter.ratedFrom');
  const clock = zoneClock(checkTimeZone(args.timeZone));
  if (from === to) return [];
  const plan = trendPlan(trendBounds(from, to, args.interval, clock));
  const problems: string[] = [];
  const counts = await countsByBucket(em, staff.workspace, { ...filter, ratedTo: new Date(to) }, plan, problems);
  reportProblems(log, staff.workspace, 'csatTrend', { rows: [], problems });
  return counts.map((c, i) => {
    const s = summaryOf({ assigneeId: null, ...c });
    return {
      start: new Date(plan.bounds[i]!).toISOString(),
      end: new Date(plan.bounds[i + 1]!).toISOString(),
      count: s.count,
      average: s.average,
      averageInterval: s.averageInterval,
      satisfiedShare: s.satisfiedShare,
      satisfiedInterval: s.satisfiedInterval,
      offered: s.offered,
      responseRate: s.responseRate,
      responseInterval: s.responseInterval,
    };
  });
}
