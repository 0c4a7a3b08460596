// The three clients through a real @apollo/gateway over HTTP, with the reference Tickets subgraph and
// the CSAT subgraph on their own ports, against real PostgreSQL.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTicket, storedRatings, type TicketFixture } from './helpers/fixtures.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();

const wsA = randomUUID();
const wsB = randomUUID();
const customer = viewer('customer', wsA);
const otherCustomer = viewer('customer', wsA);
const agentA = viewer('agent', wsA);
const agentB = viewer('agent', wsB);
const tokens: Record<string, string> = {};

beforeAll(async () => {
  for (const [k, v] of Object.entries({ customer, otherCustomer, agentA, agentB })) tokens[k] = await tokenFor(v);
});

const PORTAL = `query($id: ID!) { ticket(id: $id) { id subject status csatCanRate csatRating csatComment csatRatedAt } }`;
const RATE = `mutation($id: ID!, $rating: Int!, $comment: String) {
  rateTicket(ticketId: $id, rating: $rating, comment: $comment) { id csatRating csatComment csatRatedAt csatCanRate }
}`;
const SET_STATUS = `mutation($id: ID!, $status: TicketStatus!) { setTicketStatus(id: $id, status: $status) { id status csatRating csatCanRate } }`;

describe('portal', () => {
  let ticket: TicketFixture;
  beforeAll(async () => {
    ticket = await createTicket(ctx.pool, { workspace: wsA, requester: customer.sub, status: 'resolved' });
  });

  it('shows the prompt, takes the rating with a comment, then shows the read-only result', async () => {
    const before = await ctx.gateway(PORTAL, { id: ticket.id }, tokens.customer!);
    expect(before.errors).toBeUndefined();
    expect(before.data.ticket).toMatchObject({ id: ticket.id, status: 'resolved', csatCanRate: true, csatRating: null });

    const rated = await ctx.gateway(RATE, { id: ticket.id, rating: 5, comment: 'Fixed in one reply!' }, tokens.customer!);
    expect(rated.errors).toBeUndefined();
    expect(rated.data.rateTicket).toMatchObject({ csatRating: 5, csatComment: 'Fixed in one reply!', csatCanRate: false });

    const after = await ctx.gateway(PORTAL, { id: ticket.id }, tokens.customer!);
    expect(after.data.ticket).toMatchObject({ csatCanRate: false, csatRating: 5, csatComment: 'Fixed in one reply!', csatRatedAt: rated.data.rateTicket.csatRatedAt });
  });

  it('a second rateTicket with another rating returns the first one unchanged', async () => {
    const again = await ctx.gateway(RATE, { id: ticket.id, rating: 1, comment: 'changed my mind' }, tokens.customer!);
    expect(again.errors).toBeUndefined();
    expect(again.data.rateTicket).toMatchObject({ csatRating: 5, csatComment: 'Fixed in one reply!' });
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(1);
  });

  it('rating an open ticket gives TICKET_NOT_RESOLVED', async () => {
    const open = await createTicket(ctx.pool, { workspace: wsA, requester: customer.sub, status: 'open' });
    const res = await ctx.gateway(RATE, { id: open.id, rating: 4 }, tokens.customer!);
    expect(res.errors?.[0]?.extensions?.code).toBe('TICKET_NOT_RESOLVED');
  });

  it("rating another customer's ticket gives NOT_FOUND", async () => {
    const theirs = await createTicket(ctx.pool, { workspace: wsA, requester: otherCustomer.sub, status: 'resolved' });
    const res = await ctx.gateway(RATE, { id: theirs.id, rating: 4 }, tokens.customer!);
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await storedRatings(ctx.pool, theirs.id)).toHaveLength(0);
  });
});

describe('agent inbox', () => {
  const wsInbox = randomUUID();
  const requester = randomUUID();
  let ids: string[];
  beforeAll(async () => {
    const { rows } = await ctx.pool.query<{ id: string }>(
      `insert into ticket (workspace_id, ref, subject, status, requester_id, created_at)
       select $1, 'IN-' || g, 'inbox ' || g, case when g % 3 = 0 then 'open' else 'closed' end, $2, now() - make_interval(mins => 100 - g)
         from generate_series(1, 60) g returning id`,
      [wsInbox, requester],
    );
    ids = rows.map((r) => r.id);
    await ctx.pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by)
       select workspace_id, id, 1 + (substr(ref, 4)::int % 5), 'c' || ref, requester_id from ticket
        where workspace_id = $1 and status = 'closed' and substr(ref, 4)::int % 2 = 0`,
      [wsInbox],
    );
  });

  it('a page of 50 tickets carries the chips of the rated ones, with one SQL statement in the CSAT subgraph', async () => {
    const token = await tokenFor(viewer('agent', wsInbox));
    const before = ctx.sg.csat.db.statements.total;
    const res = await ctx.gateway(`{ tickets(first: 50) { totalCount edges { node { id ref csatRating } } } }`, {}, token);
    const statements = ctx.sg.csat.db.statements.total - before;
    expect(res.errors).toBeUndefined();
    expect(res.data.tickets.totalCount).toBe(60);
    const nodes = res.data.tickets.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(50);
    expect(statements).toBe(1);

    const { rows } = await ctx.pool.query<{ id: string; rating: number }>('select ticket_id as id, rating from csat_rating where workspace_id = $1', [wsInbox]);
    const ratings = new Map(rows.map((r) => [r.id, r.rating]));
    for (const n of nodes) expect(n.csatRating).toBe(ratings.get(n.id) ?? null);
    expect(nodes.filter((n: any) => n.csatRating !== null).length).toBeGreaterThan(10);
    expect(nodes.map((n: any) => n.id)).toEqual(ids.slice(0, 50));
  });
});

describe('agent detail card', () => {
  it('shows rating, comment and rated-at of one ticket', async () => {
    const t = await createTicket(ctx.pool, { workspace: wsA, requester: customer.sub, status: 'closed' });
    const rated = await ctx.gateway(RATE, { id: t.id, rating: 2, comment: 'Slow, but solved.' }, tokens.customer!);
    const res = await ctx.gateway(`query($id: ID!) { ticket(id: $id) { ref csatRating csatComment csatRatedAt } }`, { id: t.id }, tokens.agentA!);
    expect(res.errors).toBeUndefined();
    expect(res.data.ticket).toEqual({ ref: `T-${t.id.slice(0, 8)}`, csatRating: 2, csatComment: 'Slow, but solved.', csatRatedAt: rated.data.rateTicket.csatRatedAt });
    const [stored] = await storedRatings(ctx.pool, t.id);
    expect(res.data.ticket.csatRatedAt).toBe(stored!.rated_at.toISOString());
  });
});

describe('reopen', () => {
  it('keeps the rating visible, csatCanRate false; after resolving again rateTicket still no-ops', async () => {
    const t = await createTicket(ctx.pool, { workspace: wsA, requester: customer.sub, status: 'resolved' });
    await ctx.gateway(RATE, { id: t.id, rating: 3, comment: 'ok' }, tokens.customer!);

    const reopened = await ctx.gateway(SET_STATUS, { id: t.id, status: 'open' }, tokens.agentA!);
    expect(reopened.errors).toBeUndefined();
    expect(reopened.data.setTicketStatus).toMatchObject({ status: 'open', csatRating: 3, csatCanRate: false });
    const asCustomer = await ctx.gateway(PORTAL, { id: t.id }, tokens.customer!);
    expect(asCustomer.data.ticket).toMatchObject({ status: 'open', csatRating: 3, csatComment: 'ok', csatCanRate: false });

    const resolved = await ctx.gateway(SET_STATUS, { id: t.id, status: 'resolved' }, tokens.agentA!);
    expect(resolved.data.setTicketStatus).toMatchObject({ status: 'resolved', csatRating: 3 });
    const portal = await ctx.gateway(PORTAL, { id: t.id }, tokens.customer!);
    expect(portal.data.ticket.csatCanRate).toBe(false);
    const again = await ctx.gateway(RATE, { id: t.id, rating: 5, comment: 'second round' }, tokens.customer!);
    expect(again.errors).toBeUndefined();
    expect(again.data.rateTicket).toMatchObject({ csatRating: 3, csatComment: 'ok' });
    expect(await storedRatings(ctx.pool, t.id)).toHaveLength(1);
  });
});

describe('isolation', () => {
  it("an agent of workspace B sees null CSAT fields on workspace A's tickets", async () => {
    const t = await createTicket(ctx.pool, { workspace: wsA, requester: customer.sub, status: 'closed' });
    await ctx.gateway(RATE, { id: t.id, rating: 4, comment: 'private' }, tokens.customer!);

    // Through the gateway the Tickets subgraph already hides A's ticket from B…
    const viaGateway = await ctx.gateway(`query($id: ID!) { ticket(id: $id) { id csatRating csatComment } }`, { id: t.id }, tokens.agentB!);
    expect(viaGateway.errors).toBeUndefined();
    expect(viaGateway.data.ticket).toBeNull();
    // …and the CSAT subgraph, asked for A's ticket by the router with B's token, answers nulls itself.
    const res = await fetch(ctx.sg.csatUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.agentB}` },
      body: JSON.stringify({
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { csatRating csatComment csatRatedAt csatCanRate } } }',
        variables: { r: [{ __typename: 'Ticket', id: t.id }] },
      }),
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(body.data._entities).toEqual([{ csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false }]);
    // A's own agent sees it, so the nulls above are the rule, not missing data.
    const own = await ctx.gateway(`query($id: ID!) { ticket(id: $id) { csatRating csatComment } }`, { id: t.id }, tokens.agentA!);
    expect(own.data.ticket).toEqual({ csatRating: 4, csatComment: 'private' });
  });
});
