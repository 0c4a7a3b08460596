// The insights queries through a real @apollo/gateway with the reference Tickets subgraph, over HTTP:
// the agent UI's query, paged to the end while ratings arrive, completed with the Tickets subgraph's fields.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedRatings, sortRatings, type SeededRating } from './helpers/insights.fixtures.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';
import { expectedTrend, expectTrend, TREND_FIELDS } from './helpers/trend.expect.js';

const ctx = useSupergraph();

const ws = randomUUID();
const agentX = randomUUID();
const agentY = randomUUID();
let rows: SeededRating[];
let token: string;

beforeAll(async () => {
  rows = await seedRatings(ctx.pool, { workspace: ws, n: 150, assignees: [agentX, agentY, null], seed: 21 });
  token = await tokenFor(viewer('agent', ws));
});

const AGENT_UI = `query($x: ID!, $after: String) {
  csatRatings(filter: { assigneeIds: [$x] }, orderBy: RATING_DESC, first: 20, after: $after) {
    edges { cursor node { rating comment ratedAt ticket { id ref subject priority status csatRating } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

describe('the agent UI through the gateway', () => {
  it('pages to the end by cursor, equal to the database row for row, never repeating or skipping while ratings arrive', async () => {
    const seen: any[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res = await ctx.gateway(AGENT_UI, { x: agentX, after }, token);
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.csatRatings.edges.map((e: any) => e.node));
      // Ratings arrive between pages: one better than anything (before the cursor), one worse (after it).
      await seedRatings(ctx.pool, { workspace: ws, n: 2, assignees: [agentX], seed: 500 + page, days: 1, end: Date.now() });
      if (!res.data.csatRatings.pageInfo.hasNextPage) break;
      after = res.data.csatRatings.pageInfo.endCursor;
    }
    const ids = seen.map((n) => n.ticket.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Every original row, in the contract's order, with the Tickets subgraph's fields from the ticket relation.
    const expected = sortRatings(rows.filter((r) => r.assignee_id === agentX), 'RATING_DESC').map((r) => r.ticket_id);
    expect(ids.filter((id) => expected.includes(id))).toEqual(expected);
    const { rows: tickets } = await ctx.pool.query(`select id, ref, subject, priority, status from ticket where id = any($1::uuid[])`, [ids]);
    const byId = new Map(tickets.map((t) => [t.id, t]));
    for (const n of seen) {
      expect(n.ticket).toMatchObject({ ...byId.get(n.ticket.id), csatRating: n.rating });
    }
    // Row for row against the database as it is now, the arrivals included where they sort after the cursor.
    const { rows: stored } = await ctx.pool.query(
      `select ticket_id from csat_rating where workspace_id = $1 and assignee_id = $2 and ticket_id = any($3::uuid[]) order by rating desc, rated_at desc, ticket_id desc`,
      [ws, agentX, ids],
    );
    expect(ids).toEqual(stored.map((r) => r.ticket_id));
  });

  it('a customer gets FORBIDDEN and an anonymous caller UNAUTHENTICATED through the gateway', async () => {
    const q = `{ csatRatings { edges { node { rating } } } }`;
    expect((await ctx.gateway(q, {}, await tokenFor(viewer('customer', ws)))).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await ctx.gateway(q, {}, null)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('bad input reaches the client as BAD_USER_INPUT naming the argument', async () => {
    const res = await ctx.gateway(`{ csatRatings(first: 500) { edges { cursor } } }`, {}, token);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('csatSummary and csatAgentSummaries answer through the gateway, for the token\'s workspace', async () => {
    const res = await ctx.gateway(
      `query($x: ID!) {
        all: csatSummary { count average averageInterval { low high } distribution { rating count share } satisfiedShare satisfiedInterval { low high } offered responseRate }
        one: csatSummary(filter: { assigneeIds: [$x] }) { count }
        csatAgentSummaries { totalCount edges { node { assigneeId count satisfiedInterval { low } } } }
      }`,
      { x: agentX },
      token,
    );
    expect(res.errors).toBeUndefined();
    const { rows: stored } = await ctx.pool.query(`select assignee_id, count(*)::int as n from csat_rating where workspace_id = $1 group by assignee_id`, [ws]);
    const total = stored.reduce((s, r) => s + r.n, 0);
    expect(res.data.all.count).toBe(total);
    expect(res.data.all.distribution.map((b: any) => b.rating)).toEqual([1, 2, 3, 4, 5]);
    expect(res.data.one.count).toBe(stored.find((r) => r.assignee_id === agentX).n);
    expect(res.data.csatAgentSummaries.totalCount).toBe(3);
    expect(res.data.csatAgentSummaries.edges.at(-1).node.assigneeId === null || res.data.csatAgentSummaries.edges.some((e: any) => e.node.assigneeId === null)).toBe(true);
  });

  it('csatTrend answers through the gateway: weeks in Europe/Berlin equal the rows grouped here, empty weeks included', async () => {
    const now = Date.now();
    const filter = { ratedFrom: new Date(now - 70 * 86_400_000).toISOString(), ratedTo: new Date(now).toISOString(), assigneeIds: [agentX, agentY] };
    const res = await ctx.gateway(`query($f: CsatRatingFilter) { csatTrend(filter: $f, interval: WEEK, timeZone: "Europe/Berlin") { ${TREND_FIELDS} } }`, { f: filter }, token);
    expect(res.errors).toBeUndefined();
    // The rows as stored now (the first test added some), each with the offer its rating made.
    const { rows: stored } = await ctx.pool.query(`select rating, comment, assignee_id, to_char(rated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as rated_at from csat_rating where workspace_id = $1`, [ws]);
    const data = stored.map((r) => ({ ...r, ticket_id: '', workspace_id: ws, comment_length: 0, status: 'closed' }));
    const expected = expectedTrend(data, data.map((r) => ({ at: r.rated_at, assignee: r.assignee_id, rated: true })), filter, 'WEEK', 'Europe/Berlin', now);
    expect(expected.some((p) => p.count === 0)).toBe(true);
    expectTrend(res.data.csatTrend, expected, 'Europe/Berlin', 'WEEK', Date.parse(filter.ratedFrom), now);
    const customer = await ctx.gateway(`{ csatTrend(filter: { ratedFrom: "2026-01-01T00:00:00Z" }, interval: DAY) { count } }`, {}, await tokenFor(viewer('customer', ws)));
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const badZone = await ctx.gateway(`{ csatTrend(filter: { ratedFrom: "2026-01-01T00:00:00Z" }, interval: DAY, timeZone: "Nowhere/Land") { count } }`, {}, token);
    expect(badZone.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
  });
});
