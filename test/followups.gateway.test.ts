// The follow-up queue through a real @apollo/gateway with the reference Tickets subgraph (issue 22 item 1): ratings
// and changes made through the gateway, the queue listed with the Tickets subgraph's fields and each follow-up.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicket } from './helpers/fixtures.js';
import { tokenFor, viewer } from './helpers/test.app.js';
import { useSupergraph } from './helpers/test.supergraph.js';

const ctx = useSupergraph();

const QUEUE = `{ csatRatings(filter: { followUp: [OPEN, CONTACTED] }, orderBy: RATED_AT_ASC) {
  totalCount edges { node { rating ticket { id ref subject csatRating csatFollowUp { state owner note openedAt history { by from to } } } } } } }`;

describe('the follow-up queue through the gateway', () => {
  it('lists OPEN and CONTACTED follow-ups with their tickets; DONE leaves the queue; customers see no follow-up', async () => {
    const ws = randomUUID();
    const agent = viewer('agent', ws);
    const agentToken = await tokenFor(agent);
    const customer = viewer('customer', ws);
    const customerToken = await tokenFor(customer);
    const tickets = [];
    for (const stars of [1, 2, 2, 4]) {
      const t = await createTicket(ctx.pool, { workspace: ws, requester: customer.sub });
      const res = await ctx.gateway(`mutation($t: ID!, $r: Int!) { rateTicket(ticketId: $t, rating: $r) { id } }`, { t: t.id, r: stars }, customerToken);
      expect(res.errors).toBeUndefined();
      tickets.push(t.id);
    }
    const [one, twoA, twoB] = tickets as [string, string, string, string];
    const set = (t: string, s: string, extra = '') =>
      ctx.gateway(`mutation($t: ID!) { setCsatFollowUp(ticketId: $t, state: ${s}${extra}) { id csatFollowUp { state } } }`, { t }, agentToken);
    expect((await set(twoA, 'CONTACTED', `, ownerId: "${agent.sub}", note: "left a message"`)).errors).toBeUndefined();
    expect((await set(twoB, 'DONE')).errors).toBeUndefined();

    const res = await ctx.gateway(QUEUE, {}, agentToken);
    expect(res.errors).toBeUndefined();
    expect(res.data.csatRatings.totalCount).toBe(2);
    const { rows } = await ctx.pool.query(`select id, ref, subject from ticket where id = any($1::uuid[])`, [[one, twoA]]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(res.data.csatRatings.edges.map((e: any) => e.node)).toEqual([
      { rating: 1, ticket: { ...byId.get(one), csatRating: 1, csatFollowUp: { state: 'OPEN', owner: null, note: null, openedAt: expect.any(String), history: [{ by: null, from: null, to: 'OPEN' }] } } },
      {
        rating: 2,
        ticket: {
          ...byId.get(twoA),
          csatRating: 2,
          csatFollowUp: { state: 'CONTACTED', owner: agent.sub, note: 'left a message', openedAt: expect.any(String), history: [{ by: null, from: null, to: 'OPEN' }, { by: agent.sub, from: 'OPEN', to: 'CONTACTED' }] },
        },
      },
    ]);

    // A customer asks for the field through the gateway: null, and the mutation is FORBIDDEN.
    const mine = await ctx.gateway(`query($id: ID!) { csatTicket(id: $id) { id csatRating csatFollowUp { state } } }`, { id: one }, customerToken);
    expect(mine.data.csatTicket).toEqual({ id: one, csatRating: 1, csatFollowUp: null });
    const denied = await ctx.gateway(`mutation($t: ID!) { setCsatFollowUp(ticketId: $t, state: DONE) { id } }`, { t: one }, customerToken);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
