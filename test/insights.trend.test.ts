// csatTrend against real PostgreSQL: each point equals a computation from the stored rows done here
// independently (Intl's civil date of every rating in the zone, grouped by day, ISO week or month), for UTC and
// zones with DST changes, partial days at the ends, filters the rollups answer and ones they cannot; empty
// buckets; one statement per call; every bad input before any SQL.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedRatings, type SeededRating } from './helpers/insights.fixtures.js';
import { normaliseFilter } from '../src/insights/insights.filter.js';
import { zoneClock } from '../src/insights/time-zone.js';
import { trendBounds, trendPlan } from '../src/insights/trend.plan.js';
import { checkRollups } from '../src/insights/rollup.check.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { foldTrendRows, PER_ASSIGNEE_TABLES, trendQuery } from '../src/insights/trend.query.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';
import { expectedTrend, expectTrend, TREND_FIELDS, type Interval, type TrendFilter as F } from './helpers/trend.expect.js';

const TREND = `query($filter: CsatRatingFilter, $interval: CsatInterval!, $timeZone: String) {
  csatTrend(filter: $filter, interval: $interval, timeZone: $timeZone) { ${TREND_FIELDS} }
}`;

const ctx = useTestApp();
const ws = randomUUID();
const [agentA, agentB] = [randomUUID(), randomUUID()].sort() as [string, string];
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 2026-02-08 .. 2026-04-09: the US change (03-08), the EU one (03-29), India and Chatham without/with DST.
const END = Date.UTC(2026, 3, 9, 17, 0);
let rows: SeededRating[];
let unrated: { at: string; assignee: string | null }[];
let token: string;

beforeAll(async () => {
  rows = await seedRatings(ctx.pool, { workspace: ws, n: 700, assignees: [agentA, agentB, null], seed: 11, days: 60, end: END });
  // Ratings on either side of Berlin's and New York's midnights around the changes: the bucket edges themselves.
  const edges = ['2026-03-28T23:00:00.000Z', '2026-03-28T22:59:59.999Z', '2026-03-29T22:00:00.000Z', '2026-03-29T21:59:59.999Z', '2026-03-08T05:00:00.000Z', '2026-03-09T03:59:59.999Z', '2026-03-09T04:00:00.000Z'];
  for (const [i, at] of edges.entries()) rows.push(...(await seedRatings(ctx.pool, { workspace: ws, n: 1, assignees: [i % 2 ? agentA : agentB], seed: 100 + i, days: 0, end: Date.parse(at) })));
  await seedRatings(ctx.pool, { workspace: randomUUID(), n: 80, assignees: [agentA], seed: 12, days: 60, end: END });
  unrated = Array.from({ length: 90 }, (_, i) => ({ at: new Date(END - i * 16 * HOUR - 7 * 60_000).toISOString(), assignee: i % 3 ? agentB : null }));
  await ctx.pool.query(
    `insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id) select $1, gen_random_uuid(), at, a from unnest($2::timestamptz[], $3::uuid[]) as x(at, a)`,
    [ws, unrated.map((o) => o.at), unrated.map((o) => o.assignee)],
  );
  token = await tokenFor(viewer('agent', ws));
});

const allOffers = () => [...rows.map((r) => ({ at: r.rated_at, assignee: r.assignee_id, rated: true })), ...unrated.map((o) => ({ ...o, rated: false }))];
const iso = (ms: number) => new Date(ms).toISOString();

describe('csatTrend', () => {
  const cases: [string, Interval, string, () => F][] = [
    ['DAY in UTC, partial days at both ends', 'DAY', 'UTC', () => ({ ratedFrom: iso(END - 40 * DAY - 5 * HOUR - 17_000), ratedTo: iso(END - 3 * HOUR) })],
    ['DAY in Europe/Berlin across the spring change (a 23-hour day)', 'DAY', 'Europe/Berlin', () => ({ ratedFrom: '2026-03-20T09:30:00.000Z', ratedTo: '2026-04-05T00:00:00.000Z' })],
    ['DAY in America/New_York across its change', 'DAY', 'America/New_York', () => ({ ratedFrom: '2026-02-28T05:00:00.000Z', ratedTo: '2026-03-20T04:00:00.000Z' })],
    ['WEEK in UTC (Mondays), whole period', 'WEEK', 'UTC', () => ({ ratedFrom: iso(END - 61 * DAY), ratedTo: iso(END + DAY) })],
    ['WEEK in Europe/Berlin, one agent', 'WEEK', 'Europe/Berlin', () => ({ ratedFrom: iso(END - 58 * DAY), ratedTo: iso(END), assigneeIds: [agentA] })],
    ['WEEK in Asia/Kolkata (+05:30), ratings 4-5 of both agents', 'WEEK', 'Asia/Kolkata', () => ({ ratedFrom: iso(END - 50 * DAY), ratedTo: iso(END), ratings: [5, 4], assigneeIds: [agentB, agentA] })],
    ['MONTH in UTC (monthly rollups)', 'MONTH', 'UTC', () => ({ ratedFrom: '2026-01-01T00:00:00.000Z', ratedTo: '2026-05-01T00:00:00.000Z' })],
    ['MONTH in Pacific/Chatham (+13:45)', 'MONTH', 'Pacific/Chatham', () => ({ ratedFrom: iso(END - 59 * DAY), ratedTo: iso(END) })],
    ['DAY with a comment filter (rows, not rollups)', 'DAY', 'Europe/Berlin', () => ({ ratedFrom: '2026-03-25T00:00:00.000Z', ratedTo: '2026-04-02T00:00:00.000Z', hasComment: true })],
    ['WEEK with long comments only', 'WEEK', 'America/New_York', () => ({ ratedFrom: iso(END - 45 * DAY), ratedTo: iso(END), minCommentLength: 20 })],
    ['within one hour', 'DAY', 'Europe/Berlin', () => ({ ratedFrom: '2026-03-29T21:30:00.000Z', ratedTo: '2026-03-29T22:30:00.000Z' })],
    // One case per grain (GRAINS below checks which tables each reads).
    ['grain: WEEK in Europe/Berlin across the change, whole workspace (per-workspace day and hour)', 'WEEK', 'Europe/Berlin', () => ({ ratedFrom: iso(END - 55 * DAY - 7 * 60_000), ratedTo: iso(END) })],
    ['grain: DAY in Asia/Kolkata (+05:30), whole workspace (per-workspace hours and half hours of rows)', 'DAY', 'Asia/Kolkata', () => ({ ratedFrom: iso(END - 33 * DAY - 90 * 60_000), ratedTo: iso(END) })],
    ['grain: DAY in America/St_Johns (-03:30, DST) across its change, stars 1-2', 'DAY', 'America/St_Johns', () => ({ ratedFrom: '2026-03-01T00:00:00.000Z', ratedTo: '2026-03-20T00:00:00.000Z', ratings: [1, 2] })],
    ['grain: DAY in UTC, one agent (per-assignee day, the index led by the assignee)', 'DAY', 'UTC', () => ({ ratedFrom: iso(END - 50 * DAY - 3 * HOUR), ratedTo: iso(END), assigneeIds: [agentB] })],
    ['grain: MONTH in Europe/Berlin, whole workspace (per-workspace days for whole months)', 'MONTH', 'Europe/Berlin', () => ({ ratedFrom: iso(END - 59 * DAY), ratedTo: iso(END) })],
  ];
  it.each(cases)('%s: equals the computation from the stored rows, in one statement', async (_name, interval, timeZone, make) => {
    const filter = make();
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(TREND, { filter, interval, timeZone }, { token });
    expect(res.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(1);
    const [from, to] = [Date.parse(filter.ratedFrom!), Date.parse(filter.ratedTo!)];
    const expected = expectedTrend(rows, allOffers(), filter, interval, timeZone, to);
    expect(expected.reduce((s, e) => s + e.count, 0)).toBeGreaterThan(0);
    expectTrend(res.data.csatTrend, expected, timeZone, interval, from, to);
  });

  it('the edges of the Berlin days around the change land in the right day', async () => {
    const res = await ctx.app.gql(TREND, { filter: { ratedFrom: '2026-03-28T22:59:59.999Z', ratedTo: '2026-03-29T22:00:00.001Z' }, interval: 'DAY', timeZone: 'Europe/Berlin' }, { token });
    const points = res.data.csatTrend;
    expect(points.map((p: any) => [p.start, p.end])).toEqual([
      ['2026-03-28T22:59:59.999Z', '2026-03-28T23:00:00.000Z'],
      ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'],
      ['2026-03-29T22:00:00.000Z', '2026-03-29T22:00:00.001Z'],
    ]);
    const count = (from: string, to: string) => rows.filter((r) => r.rated_at >= from && r.rated_at < to).length;
    expect(points.map((p: any) => p.count)).toEqual([count(points[0].start, points[0].end), count(points[1].start, points[1].end), 1]);
    expect(points[0].count).toBe(1);
  });

  it('empty buckets are present with count 0 and null statistics; ratedTo defaults to now', async () => {
    const res = await ctx.app.gql(TREND, { filter: { ratedFrom: iso(END - 70 * DAY) }, interval: 'WEEK' }, { token });
    expect(res.errors).toBeUndefined();
    const points = res.data.csatTrend;
    // From 70 days before the data's end until now: the first week and every week after END hold no rating.
    expect(Date.parse(points.at(-1).end)).toBeGreaterThan(Date.now() - 60_000);
    expect(points[0]).toMatchObject({ count: 0, average: null, averageInterval: null, satisfiedShare: null, satisfiedInterval: null, offered: 0, responseRate: null, responseInterval: null });
    const after = points.filter((p: any) => Date.parse(p.start) > END + DAY);
    expect(after.length).toBeGreaterThan(20);
    expect(after.every((p: any) => p.count === 0 && p.average === null && p.offered === 0)).toBe(true);
    for (let i = 1; i < points.length; i++) expect(points[i].start).toBe(points[i - 1].end);
    expect(points.reduce((s: number, p: any) => s + p.count, 0)).toBe(rows.length);
  });

  it('exactly 400 points are served; 401 are refused; an empty period is no point and no SQL', async () => {
    const from = Date.UTC(2025, 0, 1);
    const ok = await ctx.app.gql(TREND, { filter: { ratedFrom: iso(from), ratedTo: iso(from + 400 * DAY) }, interval: 'DAY' }, { token });
    expect(ok.data.csatTrend).toHaveLength(400);
    const before = ctx.app.sqlCount();
    const tooMany = await ctx.app.gql(TREND, { filter: { ratedFrom: iso(from), ratedTo: iso(from + 400 * DAY + 1) }, interval: 'DAY' }, { token });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'interval' });
    expect((await ctx.app.gql(TREND, { filter: { ratedFrom: iso(from), ratedTo: iso(from) }, interval: 'MONTH' }, { token })).data.csatTrend).toEqual([]);
    expect(ctx.app.sqlCount()).toBe(before);
  });

  it.each([
    [{ filter: { ratedFrom: '2026-03-01T00:00:00Z' }, interval: 'DAY', timeZone: 'Mars/Olympus_Mons' }, 'timeZone'],
    [{ filter: { ratedFrom: '2026-03-01T00:00:00Z' }, interval: 'DAY', timeZone: '+02:00' }, 'timeZone'],
    [{ filter: {}, interval: 'DAY' }, 'filter.ratedFrom'],
    [{ interval: 'WEEK' }, 'filter.ratedFrom'],
    [{ filter: { ratedFrom: '2026-03-02T00:00:00Z', ratedTo: '2026-03-01T00:00:00Z' }, interval: 'DAY' }, 'filter.ratedFrom'],
    [{ filter: { ratedFrom: '2099-01-01T00:00:00Z' }, interval: 'DAY' }, 'filter.ratedFrom'],
    [{ filter: { ratedFrom: '2026-03-01T00:00:00Z', ratings: [0] }, interval: 'DAY' }, 'filter.ratings'],
    [{ filter: { ratedFrom: '1990-01-01T00:00:00Z' }, interval: 'WEEK' }, 'interval'],
  ])('%o: BAD_USER_INPUT naming %s, no SQL', async (variables, field) => {
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(TREND, variables, { token });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(ctx.app.sqlCount()).toBe(before);
  });

  it('customers get FORBIDDEN, no token UNAUTHENTICATED, no SQL; other workspaces count nothing', async () => {
    const variables = { filter: { ratedFrom: iso(END - 10 * DAY), ratedTo: iso(END) }, interval: 'DAY' };
    const before = ctx.app.sqlCount();
    expect((await ctx.app.gql(TREND, variables, { token: await tokenFor(viewer('customer', ws)) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ctx.app.gql(TREND, variables)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(ctx.app.sqlCount()).toBe(before);
    const other = await ctx.app.gql(TREND, variables, { token: await tokenFor(viewer('admin', randomUUID())) });
    expect(other.data.csatTrend).toHaveLength(11); // END is 17:00: ten whole days and a part
    expect(other.data.csatTrend.every((p: any) => p.count === 0 && p.offered === 0)).toBe(true);
  });

  it("runs without JIT: the service's connections set jit = off (the trend's ranges would cross jit_above_cost)", async () => {
    const { rows } = await sql<{ jit: string }>`select current_setting('jit') as jit`.execute(ctx.app.app.db.orm.em.getKysely());
    expect(rows[0]!.jit).toBe('off');
  });

  // Which tables each kind of trend reads (EXPLAIN of its statement), and that they give the per-assignee rollups' counts.
  const GRAINS: [string, Interval, string, () => F, string[]][] = [
    ['WEEK in UTC, whole days, whole workspace', 'WEEK', 'UTC', () => ({ ratedFrom: '2026-02-09T00:00:00.000Z', ratedTo: '2026-04-06T00:00:00.000Z' }), ['csat_rating_daily_ws', 'csat_offer_daily_ws']],
    ['DAY in UTC from 16:53 to 17:00, whole workspace', 'DAY', 'UTC', () => ({ ratedFrom: iso(END - 60 * DAY - 7 * 60_000), ratedTo: iso(END) }), ['csat_rating_daily_ws', 'csat_offer_daily_ws', 'csat_rating_hourly_ws', 'csat_offer_hourly_ws', 'csat_rating', 'csat_offer']],
    ['DAY in Europe/Berlin, whole workspace', 'DAY', 'Europe/Berlin', () => ({ ratedFrom: iso(END - 40 * DAY - 7 * 60_000), ratedTo: iso(END) }), ['csat_rating_daily_ws', 'csat_offer_daily_ws', 'csat_rating_hourly_ws', 'csat_offer_hourly_ws', 'csat_rating', 'csat_offer']],
    ['WEEK in America/St_Johns, whole workspace', 'WEEK', 'America/St_Johns', () => ({ ratedFrom: iso(END - 58 * DAY), ratedTo: iso(END) }), ['csat_rating_daily_ws', 'csat_offer_daily_ws', 'csat_rating_hourly_ws', 'csat_offer_hourly_ws', 'csat_rating', 'csat_offer']],
    ['DAY in Asia/Kolkata, one agent', 'DAY', 'Asia/Kolkata', () => ({ ratedFrom: iso(END - 30 * DAY), ratedTo: iso(END), assigneeIds: [agentA] }), ['csat_rating_daily', 'csat_offer_daily', 'csat_rating', 'csat_offer']],
  ];
  it.each(GRAINS)('%s reads its grain, and counts as the per-assignee rollups do', async (_name, interval, zone, make, tables) => {
    const db = ctx.app.app.db.orm.em.getKysely();
    const f = make();
    const filter = normaliseFilter({ ...f, ratedFrom: new Date(f.ratedFrom!), ratedTo: new Date(f.ratedTo!) });
    const plan = trendPlan(trendBounds(filter.ratedFrom!.getTime(), filter.ratedTo!.getTime(), interval, zoneClock(zone)));
    const compiled = trendQuery(ws, filter, plan).compile(db);
    const { rows: explained } = await ctx.pool.query(`explain (format json) ${compiled.sql}`, compiled.parameters as unknown[]);
    const read = new Set<string>();
    JSON.stringify(explained[0]['QUERY PLAN'], (k, v) => (k === 'Relation Name' ? read.add(v) : v));
    expect([...read].sort()).toEqual([...tables].sort());
    const now = foldTrendRows(plan, (await trendQuery(ws, filter, plan).execute(db)).rows);
    const perAssignee = foldTrendRows(plan, (await trendQuery(ws, filter, plan, PER_ASSIGNEE_TABLES).execute(db)).rows);
    expect(now).toEqual(perAssignee);
    expect(now.reduce((s, b) => s + b.distribution.reduce((x, y) => x + y, 0), 0)).toBeGreaterThan(0);
  });

  it('the triggers keep the per-workspace grains equal to the rows (rollups:check), the hours cut in UTC whatever the session zone', async () => {
    const client = await ctx.pool.connect();
    try {
      // A session in a half-hour zone: date_trunc on a timestamptz would cut its hours at :30 UTC.
      await client.query(`set time zone 'Asia/Kolkata'`);
      await client.query(`insert into ticket (id, workspace_id, ref, subject, status, priority, requester_id, assignee_id, created_at) values ($1, $2, 'K', 'k', 'closed', 'normal', gen_random_uuid(), $3, now())`, [randomUUID(), ws, agentA]);
      const { rows: [t] } = await client.query(`select id from ticket where workspace_id = $1 and ref = 'K'`, [ws]);
      await client.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_at, rated_by, assignee_id) values ($1, $2, 3, '2026-03-10T10:45:00Z', gen_random_uuid(), $3)`, [ws, t.id, agentA]);
      rows.push({ ticket_id: t.id, workspace_id: ws, rating: 3, comment: null, comment_length: 0, rated_at: '2026-03-10T10:45:00.000Z', assignee_id: agentA, status: 'closed' });
    } finally {
      client.release();
    }
    const { rows: cut } = await ctx.pool.query(`select count(*)::int as n from csat_rating_hourly_ws where workspace_id = $1 and hour <> date_trunc('hour', hour at time zone 'UTC') at time zone 'UTC'`, [ws]);
    expect(cut[0].n).toBe(0);
    const { differences, offerGaps } = await checkRollups(pgSession(ctx.pool), ws);
    expect(differences).toEqual([]);
    expect(offerGaps).toEqual([]);
    const { rows: n } = await ctx.pool.query(
      `select (select count(*) from csat_rating_daily_ws where workspace_id = $1)::int as d, (select count(*) from csat_rating_hourly_ws where workspace_id = $1)::int as h,
              (select count(*) from csat_offer_daily_ws where workspace_id = $1)::int as od, (select count(*) from csat_offer_hourly_ws where workspace_id = $1)::int as oh`,
      [ws],
    );
    expect(Object.values(n[0]).every((x) => (x as number) > 0)).toBe(true);
  });
});
