// Rollups that disagree with themselves (a hand-made import, an edit, a restore gone wrong) never make a summary,
// a ranking, a count or the badge answer INTERNAL_SERVER_ERROR: each count is clamped to what is possible and the
// log says so at warn, once per query that read them (docs/insights.md, Rollups).
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { insertRatings } from './helpers/insights.fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const INTERVAL = 'low high';
const FIELDS = `count average averageInterval { ${INTERVAL} } distribution { rating count share } satisfiedShare satisfiedInterval { ${INTERVAL} } commentShare offered responseRate responseInterval { ${INTERVAL} }`;
const QUERY = `query($filter: CsatRatingFilter, $ws: ID!) {
  csatSummary(filter: $filter) { ${FIELDS} }
  csatAgentSummaries(filter: $filter, first: 10) { totalCount edges { cursor node { assigneeId ${FIELDS} } } }
  csatRatings(filter: $filter, first: 1) { totalCount }
  csatBadge(workspaceId: $ws) { average count satisfiedShare }
}`;
const AFTER = `query($filter: CsatRatingFilter, $after: String) { csatAgentSummaries(filter: $filter, first: 1, after: $after) { edges { node { assigneeId } } } }`;

const ctx = useTestApp({ LOG_LEVEL: 'warn' });
const MAX_INT = 2_147_483_647;

let ws: string;
let agent: string;
let token: string;
beforeEach(async () => {
  ws = randomUUID();
  agent = randomUUID();
  token = await tokenFor(viewer('agent', ws));
  // October: 40 ratings of one agent, each offered when rated; the badge published.
  await insertRatings(ctx.pool, ws, agent, Array.from({ length: 40 }, (_, i) => 1 + (i % 5)), '2026-10-10T12:00:00Z');
  await ctx.pool.query(`insert into csat_settings (workspace_id, badge_public, badge_min_count, updated_by) values ($1, true, 30, $1)`, [ws]);
});

/** Every number a client gets is finite and where it can be: shares and intervals in [0, 1] (averages in [1, 5]). */
function expectSane(summary: any) {
  expect(Number.isInteger(summary.count) && summary.count >= 0 && summary.count <= MAX_INT).toBe(true);
  expect(Number.isInteger(summary.offered) && summary.offered >= 0).toBe(true);
  for (const share of [summary.satisfiedShare, summary.commentShare, summary.responseRate, ...summary.distribution.map((b: any) => b.share)]) {
    if (share !== null) expect(share >= 0 && share <= 1).toBe(true);
  }
  for (const i of [summary.satisfiedInterval, summary.responseInterval]) if (i) expect(0 <= i.low && i.low <= i.high && i.high <= 1).toBe(true);
  if (summary.average !== null) expect(summary.average >= 1 && summary.average <= 5).toBe(true);
  if (summary.averageInterval) expect(1 <= summary.averageInterval.low && summary.averageInterval.low <= summary.averageInterval.high && summary.averageInterval.high <= 5).toBe(true);
  expect(summary.distribution.map((b: any) => b.rating)).toEqual([1, 2, 3, 4, 5]);
}

async function ask(filter: Record<string, unknown> = {}) {
  const before = ctx.app.logs.length;
  const res = await ctx.app.gql(QUERY, { filter, ws }, { token });
  expect(res.errors).toBeUndefined();
  expectSane(res.data.csatSummary);
  for (const edge of res.data.csatAgentSummaries.edges) expectSane(edge.node);
  const warnings = ctx.app.logs.slice(before).filter((l) => l.level === 40 && /inconsistent rollups/.test(l.msg));
  // A cursor this answer gave is one the next page takes.
  const next = await ctx.app.gql(AFTER, { filter, after: res.data.csatAgentSummaries.edges[0]?.cursor ?? null }, { token });
  expect(next.errors).toBeUndefined();
  for (const w of warnings) expect(w).toMatchObject({ workspaceId: ws, requestId: expect.any(String) });
  const about = (query: string) => warnings.filter((w) => w.query === query);
  return { data: res.data, warnings, about };
}

const month = `day = '2026-10-01'`;
// Whole days of October (the daily rollups) and a partial day (the rows).
const DAYS = { ratedFrom: '2026-10-09T00:00:00Z', ratedTo: '2026-10-12T00:00:00Z' };

describe('inconsistent rollups', () => {
  it('rated above offered (an import of offers without their ratings): the response rate clamps to 1, with a warning', async () => {
    await ctx.pool.query(`update csat_offer_monthly set rated = offered + 7 where workspace_id = $1`, [ws]);
    await ctx.pool.query(`update csat_offer_daily set rated = offered + 7 where workspace_id = $1`, [ws]);
    for (const filter of [{}, DAYS]) {
      const { data, about } = await ask(filter);
      expect(data.csatSummary).toMatchObject({ count: 40, offered: 40, responseRate: 1, responseInterval: { high: 1 } });
      expect(data.csatAgentSummaries.edges.map((e: any) => e.node.responseRate)).toEqual([1]);
      expect(about('csatSummary')).toHaveLength(1);
      expect(about('csatAgentSummaries')).toHaveLength(1);
      expect(about('csatSummary')[0]!.problems).toEqual([`assignee ${agent}: rated 47 > offered 40 (counted as 40)`]);
    }
  });

  it('negative counts, a star outside 1..5, comments above the ratings: clamped, never an error', async () => {
    await ctx.pool.query(`update csat_rating_monthly set ratings = -5 where workspace_id = $1 and ${month} and rating = 2`, [ws]);
    await ctx.pool.query(`update csat_rating_monthly set commented = ratings + 3 where workspace_id = $1 and ${month} and rating = 4`, [ws]);
    await ctx.pool.query(`update csat_rating_daily set ratings = -5 where workspace_id = $1 and rating = 2`, [ws]);
    await ctx.pool.query(`update csat_offer_monthly set offered = -1, rated = -2 where workspace_id = $1`, [ws]);
    for (const table of ['csat_rating_monthly', 'csat_rating_daily']) {
      await ctx.pool.query(`insert into ${table} (workspace_id, day, assignee_id, rating, ratings, commented) values ($1, '2026-10-10', $2, 7, 3, 0), ($1, '2026-10-10', $2, 0, 2, 0)`, [ws, agent]);
    }
    for (const filter of [{}, DAYS]) {
      const { data, about } = await ask(filter);
      expect(data.csatSummary.distribution.map((b: any) => b.count)).toEqual([8, 0, 8, 8, 8]);
      expect(data.csatSummary.count).toBe(32);
      expect(data.csatRatings.totalCount).toBe(32);
      expect(about('csatSummary')).toHaveLength(1);
      expect(about('csatRatings.totalCount')).toHaveLength(1);
    }
    const { data, about } = await ask();
    // The 4-star bucket's 11 comments of 8 ratings count as 8.
    expect(data.csatSummary).toMatchObject({ offered: 0, responseRate: null, responseInterval: null, commentShare: 0.25 });
    expect(about('csatSummary')[0]!.problems).toEqual(
      expect.arrayContaining([`assignee ${agent}: -5 ratings of 2 (counted as 0)`, `assignee ${agent}: 3 ratings of 7 stars (ignored)`, `assignee ${agent}: offered -1 (counted as 0)`]),
    );
    // The badge leaves out the negative count and the stars outside 1..5: 32 ratings of 1, 3, 4, 5, average 3.25.
    expect(data.csatBadge).toEqual({ count: 32, average: 3.3, satisfiedShare: 0.5 });
  });

  it('counts beyond 32 bits (their sum overflows an int): clamped, never an error', async () => {
    await ctx.pool.query(`update csat_rating_monthly set ratings = ${MAX_INT}, commented = ${MAX_INT} where workspace_id = $1 and ${month}`, [ws]);
    await ctx.pool.query(`update csat_offer_monthly set offered = ${MAX_INT}, rated = ${MAX_INT} where workspace_id = $1`, [ws]);
    await ctx.pool.query(`insert into csat_offer_monthly (workspace_id, day, assignee_id, offered, rated) values ($1, '2026-09-01', $2, ${MAX_INT}, 0)`, [ws, agent]);
    const { data, about } = await ask();
    expect(data.csatSummary.count).toBeLessThanOrEqual(MAX_INT);
    expect(data.csatRatings.totalCount).toBe(data.csatSummary.count);
    expect(data.csatSummary.offered).toBe(MAX_INT);
    expect(data.csatBadge).toMatchObject({ count: MAX_INT, average: 3, satisfiedShare: 0.4 });
    expect(about('csatSummary')).toHaveLength(1);
  });

  it('csatTrend over per-workspace days and hours that disagree: clamped per bucket, one warning, never an error', async () => {
    // The 40 ratings are at 2026-10-10 12:00 UTC: the per-workspace day 2026-10-10 and hour 12:00 hold them.
    await ctx.pool.query(`update csat_rating_daily_ws set ratings = -5 where workspace_id = $1 and rating = 2`, [ws]);
    await ctx.pool.query(`update csat_rating_daily_ws set commented = ratings + 3 where workspace_id = $1 and rating = 4`, [ws]);
    await ctx.pool.query(`insert into csat_rating_daily_ws (workspace_id, day, rating, ratings, commented) values ($1, '2026-10-10', 7, 3, 0), ($1, '2026-10-10', 0, 2, 0)`, [ws]);
    await ctx.pool.query(`update csat_offer_daily_ws set rated = offered + 7 where workspace_id = $1`, [ws]);
    // Sums past 32 bits over a week, and an hour a Berlin day moves (22:00 UTC is the next Berlin day) gone negative.
    await ctx.pool.query(`insert into csat_rating_daily_ws (workspace_id, day, rating, ratings, commented) values ($1, '2026-10-11', 5, ${MAX_INT}, ${MAX_INT}), ($1, '2026-10-12', 5, ${MAX_INT}, 0)`, [ws]);
    await ctx.pool.query(`insert into csat_offer_daily_ws (workspace_id, day, offered, rated) values ($1, '2026-10-11', ${MAX_INT}, 0), ($1, '2026-10-12', ${MAX_INT}, ${MAX_INT})`, [ws]);
    await ctx.pool.query(`insert into csat_rating_hourly_ws (workspace_id, hour, rating, ratings, commented) values ($1, '2026-10-10T22:00:00Z', 3, -4, 0)`, [ws]);
    await ctx.pool.query(`insert into csat_offer_hourly_ws (workspace_id, hour, offered, rated) values ($1, '2026-10-10T22:00:00Z', -3, 5)`, [ws]);
    const TREND = `query($filter: CsatRatingFilter, $interval: CsatInterval!, $timeZone: String) {
      csatTrend(filter: $filter, interval: $interval, timeZone: $timeZone) { start count average averageInterval { ${INTERVAL} } satisfiedShare satisfiedInterval { ${INTERVAL} } offered responseRate responseInterval { ${INTERVAL} } }
    }`;
    const period = { ratedFrom: '2026-10-05T00:00:00Z', ratedTo: '2026-10-19T00:00:00Z' };
    for (const [interval, timeZone] of [['DAY', 'UTC'], ['DAY', 'Europe/Berlin'], ['WEEK', 'UTC']]) {
      const before = ctx.app.logs.length;
      const res = await ctx.app.gql(TREND, { filter: period, interval, timeZone }, { token });
      expect(res.errors, `${interval} ${timeZone}`).toBeUndefined();
      for (const p of res.data.csatTrend) {
        expect(Number.isInteger(p.count) && p.count >= 0 && p.count <= MAX_INT).toBe(true);
        expect(Number.isInteger(p.offered) && p.offered >= 0 && p.offered <= MAX_INT).toBe(true);
        for (const share of [p.satisfiedShare, p.responseRate]) if (share !== null) expect(share >= 0 && share <= 1).toBe(true);
        for (const i of [p.satisfiedInterval, p.responseInterval]) if (i) expect(0 <= i.low && i.low <= i.high && i.high <= 1).toBe(true);
        if (p.average !== null) expect(p.average >= 1 && p.average <= 5).toBe(true);
      }
      const warnings = ctx.app.logs.slice(before).filter((l) => l.level === 40 && /inconsistent rollups/.test(l.msg));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ workspaceId: ws, query: 'csatTrend' });
      if (interval === 'DAY' && timeZone === 'UTC') {
        const day = (d: string) => res.data.csatTrend.find((p: any) => p.start === `2026-10-${d}T00:00:00.000Z`);
        // October 10: stars 1, 3, 4, 5 (8 each; the -5 twos count 0, stars 7 and 0 ignored), every offer rated.
        expect(day('10')).toMatchObject({ count: 32, offered: 40, responseRate: 1 });
        expect(warnings[0]!.problems).toEqual(expect.arrayContaining(['3 ratings of 7 stars (ignored)', 'bucket 2026-10-10T00:00:00.000Z: ratings of 2 -5 (counted as 0)']));
        expect(day('11').count).toBe(Math.floor(MAX_INT / 5));
      }
    }
  });

  it('a consistent workspace warns nothing', async () => {
    const { data, warnings } = await ask();
    expect(data.csatSummary).toMatchObject({ count: 40, offered: 40, responseRate: 1 });
    expect(warnings).toEqual([]);
  });
});
