// csatRatings against real PostgreSQL: every order and filter paged to the end equals an independent sort of
// the stored rows; cursors, bad input (no SQL), visibility, statement counts.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTicket, setStatus } from './helpers/fixtures.js';
import { ORDERS, seedRatings, sortRatings, type SeededRating } from './helpers/insights.fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const LIST = `query($filter: CsatRatingFilter, $orderBy: CsatRatingOrder, $first: Int, $after: String) {
  csatRatings(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { ticket { id csatRating } rating comment commentLength ratedAt assigneeId reopenedSinceRating } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const COUNT = `query($filter: CsatRatingFilter) { csatRatings(filter: $filter, first: 1) { totalCount edges { cursor } } }`;

const ctx = useTestApp();
const ws = randomUUID();
const other = randomUUID();
const [agentA, agentB] = [randomUUID(), randomUUID()];
let rows: SeededRating[];
let token: string;

beforeAll(async () => {
  rows = await seedRatings(ctx.pool, { workspace: ws, n: 240, assignees: [agentA, agentB, null], seed: 7 });
  await seedRatings(ctx.pool, { workspace: other, n: 40, assignees: [agentA, null], seed: 8 });
  token = await tokenFor(viewer('agent', ws));
});

async function pageAll(variables: Record<string, unknown>, first: number, tok = token) {
  const ids: string[] = [];
  const nodes: any[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const before = ctx.app.sqlCount();
    const res: any = await ctx.app.gql(LIST, { ...variables, first, after }, { token: tok });
    expect(res.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(1);
    const c: any = res.data.csatRatings;
    for (const e of c.edges) {
      ids.push(e.node.ticket.id);
      nodes.push(e.node);
    }
    if (!c.pageInfo.hasNextPage) break;
    expect(c.pageInfo.endCursor).toBe(c.edges.at(-1).cursor);
    after = c.pageInfo.endCursor;
  }
  return { ids, nodes };
}

type Pred = (r: SeededRating) => boolean;
const FILTERS: [string, Record<string, unknown>, Pred][] = [
  ['no filter', {}, () => true],
  ['one assignee', { assigneeIds: [agentA] }, (r) => r.assignee_id === agentA],
  ['two assignees', { assigneeIds: [agentB, agentA] }, (r) => r.assignee_id !== null],
  ['ratings 1-2 with a comment', { ratings: [2, 1], hasComment: true }, (r) => r.rating <= 2 && r.comment !== null],
  ['long comments, reopened', { minCommentLength: 20, reopenedSinceRating: true }, (r) => r.comment_length >= 20 && r.status === 'open'],
  ['no comment, not reopened', { hasComment: false, reopenedSinceRating: false }, (r) => r.comment === null && r.status !== 'open'],
];

describe('csatRatings', () => {
  for (const order of ORDERS) {
    it.each(FILTERS)(`${order}, %s: pages to the end equal to the stored rows, one statement a page`, async (_name, filter, pred) => {
      const expected = sortRatings(rows.filter(pred), order);
      const { ids, nodes } = await pageAll({ filter, orderBy: order }, 17);
      expect(ids).toEqual(expected.map((r) => r.ticket_id));
      const byId = new Map(expected.map((r) => [r.ticket_id, r]));
      for (const n of nodes) {
        const r = byId.get(n.ticket.id)!;
        expect(n).toMatchObject({ rating: r.rating, comment: r.comment, commentLength: r.comment_length, ratedAt: r.rated_at, assigneeId: r.assignee_id, reopenedSinceRating: r.status === 'open' });
        expect(n.ticket.csatRating).toBe(r.rating);
      }
    });
  }

  it('the period is half-open, and an empty period is valid', async () => {
    const sorted = sortRatings(rows, 'RATED_AT_ASC');
    const from = sorted[30]!.rated_at;
    const to = sorted[90]!.rated_at;
    const { ids } = await pageAll({ filter: { ratedFrom: from, ratedTo: to }, orderBy: 'RATED_AT_ASC' }, 50);
    expect(ids).toEqual(sorted.filter((r) => r.rated_at >= from && r.rated_at < to).map((r) => r.ticket_id));
    const empty = await ctx.app.gql(LIST, { filter: { ratedFrom: from, ratedTo: from } }, { token });
    expect(empty.data.csatRatings).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('totalCount is exact for the filter, and costs a statement only when selected', async () => {
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(COUNT, { filter: { assigneeIds: [agentA], ratings: [5, 4] } }, { token });
    expect(res.data.csatRatings.totalCount).toBe(rows.filter((r) => r.assignee_id === agentA && r.rating >= 4).length);
    expect(ctx.app.sqlCount() - before).toBe(2);
    const all = await ctx.app.gql(COUNT, {}, { token });
    expect(all.data.csatRatings.totalCount).toBe(rows.length);
    // From the rollups (the filters above) and from the rows (a comment filter): the same exact count.
    const commented = await ctx.app.gql(COUNT, { filter: { hasComment: true, ratedFrom: rows[5]!.rated_at } }, { token });
    expect(commented.data.csatRatings.totalCount).toBe(rows.filter((r) => r.comment !== null && r.rated_at >= rows[5]!.rated_at).length);
    const period = await ctx.app.gql(COUNT, { filter: { ratedFrom: rows[5]!.rated_at } }, { token });
    expect(period.data.csatRatings.totalCount).toBe(rows.filter((r) => r.rated_at >= rows[5]!.rated_at).length);
  });

  it('UNHAPPY_FIRST puts a 1-star rating with a 1,500-character comment before a 1-star rating without one', async () => {
    const w = randomUUID();
    const requester = randomUUID();
    const silent = await createTicket(ctx.pool, { workspace: w, requester, status: 'closed' });
    const vocal = await createTicket(ctx.pool, { workspace: w, requester, status: 'closed' });
    const happy = await createTicket(ctx.pool, { workspace: w, requester, status: 'closed' });
    for (const [ticket, rating, comment] of [[silent, 1, null], [vocal, 1, 'é'.repeat(1500)], [happy, 5, 'great']] as const) {
      await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by) values ($1, $2, $3, $4, $5)`, [w, ticket.id, rating, comment, requester]);
    }
    const res = await ctx.app.gql(LIST, { orderBy: 'UNHAPPY_FIRST' }, { token: await tokenFor(viewer('admin', w)) });
    expect(res.data.csatRatings.edges.map((e: any) => [e.node.ticket.id, e.node.commentLength])).toEqual([[vocal.id, 1500], [silent.id, 0], [happy.id, 5]]);
  });

  it('neither repeats nor skips while new ratings arrive between pages', async () => {
    const w = randomUUID();
    const base = await seedRatings(ctx.pool, { workspace: w, n: 60, assignees: [agentA], seed: 11 });
    const tok = await tokenFor(viewer('agent', w));
    for (const order of ['RATED_AT_DESC', 'RATED_AT_ASC', 'UNHAPPY_FIRST'] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; ; i++) {
        const res: any = await ctx.app.gql(LIST, { orderBy: order, first: 9, after }, { token: tok });
        seen.push(...res.data.csatRatings.edges.map((e: any) => e.node.ticket.id));
        // New ratings, now (ahead of a descending walk, behind an ascending one) and at random keys.
        await seedRatings(ctx.pool, { workspace: w, n: 3, assignees: [agentA], seed: 100 + i, days: 10, end: Date.now() });
        if (!res.data.csatRatings.pageInfo.hasNextPage) break;
        after = res.data.csatRatings.pageInfo.endCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const r of base) expect(seen).toContain(r.ticket_id);
    }
  });

  it('a cursor stays valid for the same filter with its lists in another order, and is refused for another order or filter', async () => {
    const first = await ctx.app.gql(LIST, { filter: { assigneeIds: [agentA, agentB], ratings: [1, 5] }, orderBy: 'RATING_DESC', first: 5 }, { token });
    const cursor = first.data.csatRatings.pageInfo.endCursor;
    const same = await ctx.app.gql(LIST, { filter: { ratings: [5, 1], assigneeIds: [agentB, agentA, agentA] }, orderBy: 'RATING_DESC', first: 5, after: cursor }, { token });
    expect(same.errors).toBeUndefined();
    const before = ctx.app.sqlCount();
    for (const variables of [
      { filter: { assigneeIds: [agentA, agentB], ratings: [1, 5] }, orderBy: 'RATING_ASC', after: cursor },
      { filter: { assigneeIds: [agentA], ratings: [1, 5] }, orderBy: 'RATING_DESC', after: cursor },
      { orderBy: 'RATING_DESC', after: cursor },
    ]) {
      const res = await ctx.app.gql(LIST, variables, { token });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    expect(ctx.app.sqlCount()).toBe(before);
  });

  const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
  it.each([
    ['first 0', { first: 0 }, 'first'],
    ['first 201', { first: 201 }, 'first'],
    ['a malformed cursor', { after: 'not a cursor!' }, 'after'],
    ['a cursor of base64 garbage', { after: 'bm90IGpzb24' }, 'after'],
    ['a forged cursor with a bad key', { after: forged({ o: 'RATED_AT_DESC', f: 'x', k: ['2025-02-30T00:00:00.000Z', randomUUID()] }) }, 'after'],
    ['ratedFrom after ratedTo', { filter: { ratedFrom: '2026-02-02T00:00:00Z', ratedTo: '2026-02-01T00:00:00Z' } }, 'filter.ratedFrom'],
    ['a non-UUID assignee id', { filter: { assigneeIds: ['agent-1'] } }, 'filter.assigneeIds'],
    ['101 assignee ids', { filter: { assigneeIds: Array.from({ length: 101 }, () => randomUUID()) } }, 'filter.assigneeIds'],
    ['an empty assigneeIds', { filter: { assigneeIds: [] } }, 'filter.assigneeIds'],
    ['rating 0', { filter: { ratings: [0, 3] } }, 'filter.ratings'],
    ['rating 6', { filter: { ratings: [6] } }, 'filter.ratings'],
    ['an empty ratings', { filter: { ratings: [] } }, 'filter.ratings'],
    ['minCommentLength 0', { filter: { minCommentLength: 0 } }, 'filter.minCommentLength'],
    ['minCommentLength 2001', { filter: { minCommentLength: 2001 } }, 'filter.minCommentLength'],
  ])('%s: BAD_USER_INPUT naming the argument, no SQL', async (_name, variables, field) => {
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(LIST, variables, { token });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(res.data).toBeNull();
    expect(ctx.app.sqlCount()).toBe(before);
  });

  it('shows reopenedSinceRating from the ticket as it is today', async () => {
    const w = randomUUID();
    const requester = randomUUID();
    const ticket = await createTicket(ctx.pool, { workspace: w, requester, status: 'resolved' });
    await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, $2, 2, $3)`, [w, ticket.id, requester]);
    const tok = await tokenFor(viewer('agent', w));
    const flag = async () => (await ctx.app.gql(LIST, {}, { token: tok })).data.csatRatings.edges[0].node.reopenedSinceRating;
    expect(await flag()).toBe(false);
    await setStatus(ctx.pool, ticket.id, 'open');
    expect(await flag()).toBe(true);
    const reopened = await ctx.app.gql(LIST, { filter: { reopenedSinceRating: true } }, { token: tok });
    expect(reopened.data.csatRatings.edges).toHaveLength(1);
  });

  describe('who may ask', () => {
    it('staff see their own workspace only, whatever they filter on', async () => {
      const { ids } = await pageAll({ filter: { assigneeIds: [agentA] } }, 200, await tokenFor(viewer('admin', other)));
      const theirs = await ctx.pool.query(`select ticket_id from csat_rating where workspace_id = $1 and assignee_id = $2`, [other, agentA]);
      expect(ids.sort()).toEqual(theirs.rows.map((r) => r.ticket_id).sort());
      expect(ids.some((id) => rows.some((r) => r.ticket_id === id))).toBe(false);
    });

    it('a customer gets FORBIDDEN, no token UNAUTHENTICATED, and no SQL runs', async () => {
      const before = ctx.app.sqlCount();
      const customer = await ctx.app.gql(LIST, {}, { token: await tokenFor(viewer('customer', ws)) });
      expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const anonymous = await ctx.app.gql(LIST, {});
      expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(ctx.app.sqlCount()).toBe(before);
    });
  });
});
