// csatSummary and csatAgentSummaries against real PostgreSQL: the counts equal the stored rows for every kind
// of filter (rollup days, partial days at the ends, row filters), the statistics follow from them, the
// response rate under an assignee filter, visibility, bad input.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ratingStatistics, responseStatistics, type Distribution } from '../src/insights/statistics.js';
import { insertRatings, seedRatings, type SeededRating } from './helpers/insights.fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const INTERVAL = 'low high';
const SUMMARY_FIELDS = `count average averageInterval { ${INTERVAL} } distribution { rating count share } satisfiedShare satisfiedInterval { ${INTERVAL} } commentShare offered responseRate responseInterval { ${INTERVAL} }`;
const SUMMARY = `query($filter: CsatRatingFilter) { csatSummary(filter: $filter) { ${SUMMARY_FIELDS} } }`;
const AGENTS = `query($filter: CsatRatingFilter, $orderBy: CsatAgentOrder, $minCount: Int, $first: Int, $after: String) {
  csatAgentSummaries(filter: $filter, orderBy: $orderBy, minCount: $minCount, first: $first, after: $after) {
    totalCount edges { cursor node { assigneeId ${SUMMARY_FIELDS} } } pageInfo { hasNextPage endCursor }
  }
}`;

const ctx = useTestApp();
const ws = randomUUID();
const [agentA, agentB] = [randomUUID(), randomUUID()].sort() as [string, string];
let rows: SeededRating[];
/** Offers nobody rated: agent B's, one a day over the last 40 days. */
let unrated: { at: string; assignee: string }[];
let token: string;
const DAY = 86_400_000;

beforeAll(async () => {
  rows = await seedRatings(ctx.pool, { workspace: ws, n: 300, assignees: [agentA, agentB, null], seed: 3, days: 90 });
  await seedRatings(ctx.pool, { workspace: randomUUID(), n: 50, assignees: [agentA, agentB], seed: 4 });
  unrated = Array.from({ length: 40 }, (_, i) => ({ at: new Date(Date.now() - i * DAY - 3_600_000).toISOString(), assignee: agentB }));
  await ctx.pool.query(
    `insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id) select $1, gen_random_uuid(), at, a from unnest($2::timestamptz[], $3::uuid[]) as x(at, a)`,
    [ws, unrated.map((o) => o.at), unrated.map((o) => o.assignee)],
  );
  token = await tokenFor(viewer('agent', ws));
});

interface F {
  assigneeIds?: string[];
  ratings?: number[];
  ratedFrom?: string;
  ratedTo?: string;
  hasComment?: boolean;
  minCommentLength?: number;
  reopenedSinceRating?: boolean;
}

/** The summary computed from the seeded rows in the test: counts by hand, then the (separately tested) statistics. */
function expectedSummary(f: F, only: (r: SeededRating) => boolean = () => true) {
  const inPeriod = (at: string) => (!f.ratedFrom || at >= f.ratedFrom) && (!f.ratedTo || at < f.ratedTo);
  const byAssignee = (a: string | null) => !f.assigneeIds || (a !== null && f.assigneeIds.includes(a));
  const matching = rows.filter(
    (r) =>
      only(r) &&
      byAssignee(r.assignee_id) &&
      inPeriod(r.rated_at) &&
      (!f.ratings || f.ratings.includes(r.rating)) &&
      (f.hasComment === undefined || (r.comment !== null) === f.hasComment) &&
      (f.minCommentLength === undefined || r.comment_length >= f.minCommentLength) &&
      (f.reopenedSinceRating === undefined || (r.status === 'open') === f.reopenedSinceRating),
  );
  const distribution = [1, 2, 3, 4, 5].map((s) => matching.filter((r) => r.rating === s).length) as unknown as Distribution;
  // Offers: every rating made one at its own time and assignee (rateTicket without a prompt seen), plus the unrated ones.
  const offers = [...rows.filter(only).map((r) => ({ at: r.rated_at, assignee: r.assignee_id, rated: true })), ...unrated.map((o) => ({ ...o, rated: false }))].filter(
    (o) => inPeriod(o.at) && byAssignee(o.assignee),
  );
  return { ...ratingStatistics(distribution, matching.filter((r) => r.comment !== null).length), ...responseStatistics(offers.length, offers.filter((o) => o.rated).length) };
}

function expectClose(actual: any, expected: any) {
  expect(JSON.parse(JSON.stringify(actual), (_k, v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v))).toEqual(
    JSON.parse(JSON.stringify(expected), (_k, v) => (typeof v === 'number' ? Math.round(v * 1e9) / 1e9 : v)),
  );
}

const midnight = (daysAgo: number) => new Date(Math.floor(Date.now() / DAY) * DAY - daysAgo * DAY).toISOString();
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('csatSummary', () => {
  const cases: [string, () => F][] = [
    ['the whole workspace', () => ({})],
    ['one agent', () => ({ assigneeIds: [agentA] })],
    ['two agents', () => ({ assigneeIds: [agentB, agentA] })],
    ['whole UTC days', () => ({ ratedFrom: midnight(30), ratedTo: midnight(2) })],
    ['the last 30 days (partial days at both ends)', () => ({ ratedFrom: hoursAgo(30 * 24 + 5), ratedTo: hoursAgo(1) })],
    ['within one day', () => ({ ratedFrom: hoursAgo(40), ratedTo: hoursAgo(30) })],
    ['from only', () => ({ ratedFrom: hoursAgo(24 * 45 + 7) })],
    ['to only', () => ({ ratedTo: hoursAgo(24 * 20 + 3), assigneeIds: [agentB] })],
    ['ratings 4-5 of one agent', () => ({ ratings: [5, 4], assigneeIds: [agentA] })],
    ['with a comment', () => ({ hasComment: true, ratedFrom: hoursAgo(24 * 50 + 2) })],
    ['long comments', () => ({ minCommentLength: 30 })],
    ['reopened', () => ({ reopenedSinceRating: true, assigneeIds: [agentB] })],
    ['an empty period', () => ({ ratedFrom: midnight(3), ratedTo: midnight(3) })],
  ];
  it.each(cases)('%s: equals the computation from the stored rows, in one statement', async (_name, make) => {
    const filter = make();
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(SUMMARY, { filter }, { token });
    expect(res.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(filter.ratedFrom && filter.ratedFrom === filter.ratedTo ? 0 : 1);
    expectClose(res.data.csatSummary, expectedSummary(filter));
  });

  it('the response rate under an assignee filter differs from the unfiltered one where it should', async () => {
    const all = (await ctx.app.gql(SUMMARY, {}, { token })).data.csatSummary;
    const a = (await ctx.app.gql(SUMMARY, { filter: { assigneeIds: [agentA] } }, { token })).data.csatSummary;
    const b = (await ctx.app.gql(SUMMARY, { filter: { assigneeIds: [agentB] } }, { token })).data.csatSummary;
    // Every offer of A's was rated; B's unrated offers lower B's rate and the workspace's, not A's.
    expect(a.responseRate).toBe(1);
    expect(b.responseRate).toBeLessThan(1);
    expect(all.responseRate).toBeLessThan(1);
    expect(all.responseRate).toBeGreaterThan(b.responseRate);
    expect(a.offered + b.offered).toBeLessThan(all.offered); // the rest: ratings without an assignee
    // The rating-only parts of a filter do not apply to the response rate.
    const fives = (await ctx.app.gql(SUMMARY, { filter: { assigneeIds: [agentB], ratings: [5], hasComment: true } }, { token })).data.csatSummary;
    expect([fives.offered, fives.responseRate]).toEqual([b.offered, b.responseRate]);
  });

  it('a rating made after the ticket changed hands counts as rated for the assignee at offer time', async () => {
    const w = randomUUID();
    const [first, second] = [randomUUID(), randomUUID()];
    const tok = await tokenFor(viewer('admin', w));
    const [ticket] = await insertRatings(ctx.pool, w, first, []).then(async () => {
      const id = randomUUID();
      await ctx.pool.query(`insert into ticket (id, workspace_id, ref, status, requester_id, assignee_id) values ($1, $2, 'X', 'resolved', gen_random_uuid(), $3)`, [id, w, first]);
      await ctx.pool.query(`insert into csat_offer (workspace_id, ticket_id, assignee_id) values ($1, $2, $3)`, [w, id, first]);
      return [id];
    });
    await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by, assignee_id) values ($1, $2, 4, gen_random_uuid(), $3)`, [w, ticket, second]);
    const of = async (a: string) => (await ctx.app.gql(SUMMARY, { filter: { assigneeIds: [a] } }, { token: tok })).data.csatSummary;
    expect(await of(first)).toMatchObject({ count: 0, offered: 1, responseRate: 1 });
    expect(await of(second)).toMatchObject({ count: 1, offered: 0, responseRate: null });
  });

  it('counts nothing of other workspaces, and answers zeros for a workspace without ratings', async () => {
    const res = await ctx.app.gql(SUMMARY, {}, { token: await tokenFor(viewer('agent', randomUUID())) });
    expect(res.data.csatSummary).toMatchObject({ count: 0, average: null, averageInterval: null, satisfiedShare: null, offered: 0, responseRate: null });
    expect(res.data.csatSummary.distribution).toHaveLength(5);
  });

  it('customers get FORBIDDEN, no token UNAUTHENTICATED; bad input BAD_USER_INPUT; no SQL', async () => {
    const before = ctx.app.sqlCount();
    expect((await ctx.app.gql(SUMMARY, {}, { token: await tokenFor(viewer('customer', ws)) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ctx.app.gql(SUMMARY, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await ctx.app.gql(SUMMARY, { filter: { ratings: [9] } }, { token })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.ratings' });
    expect(ctx.app.sqlCount()).toBe(before);
  });
});

describe('csatAgentSummaries', () => {
  const w = randomUUID();
  const [steady, lucky, twinA, twinB] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()].sort() as [string, string, string, string];
  let tok: string;
  beforeAll(async () => {
    // 300 ratings averaging 4.8 against 3 five-star ones; two agents and the unassigned with the same distribution.
    await insertRatings(ctx.pool, w, steady, [...Array(240).fill(5), ...Array(60).fill(4)]);
    await insertRatings(ctx.pool, w, lucky, [5, 5, 5]);
    for (const a of [twinB, null, twinA]) await insertRatings(ctx.pool, w, a, [4, 4, 2]);
    tok = await tokenFor(viewer('agent', w));
  });

  const ids = (res: any) => res.data.csatAgentSummaries.edges.map((e: any) => e.node.assigneeId);

  it('ranks by the Wilson lower bound by default; ties: assignee id ascending, the unassigned last', async () => {
    const res = await ctx.app.gql(AGENTS, {}, { token: tok });
    expect(res.errors).toBeUndefined();
    expect(ids(res)).toEqual([steady, lucky, twinA, twinB, null]);
    expect(res.data.csatAgentSummaries.totalCount).toBe(5);
  });

  it.each([
    ['AVERAGE_DESC', () => [lucky, steady, twinA, twinB, null]],
    ['AVERAGE_ASC', () => [twinA, twinB, null, steady, lucky]],
    ['COUNT_DESC', () => [steady, lucky, twinA, twinB, null]],
  ])('%s', async (orderBy, expected) => {
    expect(ids(await ctx.app.gql(AGENTS, { orderBy }, { token: tok }))).toEqual(expected());
  });

  it('each row is the summary of that assignee, and minCount drops the small ones', async () => {
    const res = await ctx.app.gql(AGENTS, { minCount: 4 }, { token: tok });
    expect(ids(res)).toEqual([steady]);
    const one = (await ctx.app.gql(SUMMARY, { filter: { assigneeIds: [steady] } }, { token: tok })).data.csatSummary;
    const { assigneeId, ...node } = res.data.csatAgentSummaries.edges[0].node;
    expect(node).toEqual(one);
  });

  it('pages by cursor one row at a time, in the same order; a cursor of another order or minCount is refused', async () => {
    const seen: (string | null)[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res: any = await ctx.app.gql(AGENTS, { first: 1, after }, { token: tok });
      seen.push(...ids(res));
      if (!res.data.csatAgentSummaries.pageInfo.hasNextPage) break;
      after = res.data.csatAgentSummaries.pageInfo.endCursor;
    }
    expect(seen).toEqual([steady, lucky, twinA, twinB, null]);
    const first = await ctx.app.gql(AGENTS, { first: 2 }, { token: tok });
    const cursor = first.data.csatAgentSummaries.pageInfo.endCursor;
    for (const v of [{ orderBy: 'COUNT_DESC' }, { minCount: 2 }, { filter: { ratings: [5] } }]) {
      expect((await ctx.app.gql(AGENTS, { ...v, after: cursor }, { token: tok })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it.each([
    [{ minCount: 0 }, 'minCount'],
    [{ first: 0 }, 'first'],
    [{ filter: { assigneeIds: [] } }, 'filter.assigneeIds'],
  ])('%o: BAD_USER_INPUT naming the argument, no SQL', async (variables, field) => {
    const before = ctx.app.sqlCount();
    expect((await ctx.app.gql(AGENTS, variables, { token: tok })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(ctx.app.sqlCount()).toBe(before);
  });

  it('customers get FORBIDDEN', async () => {
    expect((await ctx.app.gql(AGENTS, {}, { token: await tokenFor(viewer('customer', w)) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
