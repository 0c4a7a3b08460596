// Offers, the response rate's denominator: recorded when csatCanRate resolves true for the requester (in the
// page's one statement) or by rateTicket without one; never by staff, anonymous callers or pages without
// csatCanRate. The rollup follows.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const WITH_CAN_RATE = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatCanRate } } }`;
const WITH_FRAGMENT = `query($r: [_Any!]!) { _entities(representations: $r) { ...F } } fragment F on Ticket { id prompt: csatCanRate }`;
const SKIPPED = `query($r: [_Any!]!, $no: Boolean!) { _entities(representations: $r) { ... on Ticket { id csatRating csatCanRate @skip(if: $no) } } }`;
const WITHOUT = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatRatedAt } } }`;
const RATE = `mutation($id: ID!, $rating: Int!) { rateTicket(ticketId: $id, rating: $rating) { id csatRating } }`;
const reps = (tickets: { id: string }[]) => tickets.map((x) => ({ __typename: 'Ticket', id: x.id }));

const ctx = useTestApp({ LOG_LEVEL: 'warn' });

async function offers(workspace: string) {
  const { rows } = await ctx.pool.query(`select ticket_id, assignee_id, offered_at from csat_offer where workspace_id = $1 order by ticket_id`, [workspace]);
  return rows as { ticket_id: string; assignee_id: string | null; offered_at: Date }[];
}
async function offerRollup(workspace: string) {
  const { rows } = await ctx.pool.query(`select assignee_id, sum(offered)::int as offered, sum(rated)::int as rated from csat_offer_daily where workspace_id = $1 group by assignee_id order by assignee_id`, [workspace]);
  return rows;
}

/** A customer's page of 50: rateable ones, rated ones, open ones, and someone else's rateable ticket. */
async function portalPage() {
  const ws = randomUUID();
  const me = viewer('customer', ws);
  const agent = randomUUID();
  const rateable: TicketFixture[] = [];
  const page: TicketFixture[] = [];
  for (let i = 0; i < 50; i++) {
    const kind = i % 5;
    const ticket = await createTicket(ctx.pool, { workspace: ws, requester: kind === 4 ? randomUUID() : me.sub, status: kind === 3 ? 'open' : i % 2 ? 'closed' : 'resolved', assignee: i % 7 ? agent : null });
    if (kind === 2) await ctx.pool.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, $2, 3, $3)`, [ws, ticket.id, me.sub]);
    else if (kind < 2) rateable.push(ticket);
    page.push(ticket);
  }
  return { ws, me, token: await tokenFor(me), agent, rateable, page };
}

describe('offers', () => {
  it("a customer's page with csatCanRate records an offer for each ticket they can rate, in the page's one statement", async () => {
    const { ws, token, rateable, page } = await portalPage();
    const ratedBefore = await offers(ws); // the rated ones recorded theirs when rated
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(WITH_CAN_RATE, { r: reps(page) }, { token });
    expect(res.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.data._entities.filter((e: any) => e.csatCanRate).map((e: any) => e.id).sort()).toEqual(rateable.map((x) => x.id).sort());
    const recorded = (await offers(ws)).filter((o) => !ratedBefore.some((r) => r.ticket_id === o.ticket_id));
    expect(recorded.map((o) => [o.ticket_id, o.assignee_id])).toEqual(rateable.map((x) => [x.id, x.assignee]).sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));

    // The same page again: still one statement, no second offer, the first time kept.
    const again = ctx.app.sqlCount();
    await ctx.app.gql(WITH_FRAGMENT, { r: reps(page) }, { token });
    expect(ctx.app.sqlCount() - again).toBe(1);
    expect(await offers(ws)).toEqual([...ratedBefore, ...recorded].sort((a, b) => (a.ticket_id < b.ticket_id ? -1 : 1)));
    const total = (await offerRollup(ws)).reduce((s: number, r: any) => s + r.offered, 0);
    expect(total).toBe(ratedBefore.length + rateable.length);
  });

  it('a disabled workspace (csat_settings.enabled false) shows no prompt, so its page records no offer, in one statement', async () => {
    const { ws, token, page } = await portalPage();
    await ctx.pool.query(`insert into csat_settings (workspace_id, enabled, updated_by) values ($1, false, $2)`, [ws, randomUUID()]);
    const ratedBefore = await offers(ws);
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(WITH_CAN_RATE, { r: reps(page) }, { token });
    expect(res.errors).toBeUndefined();
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.data._entities.filter((e: any) => e.csatCanRate)).toEqual([]);
    expect(await offers(ws)).toEqual(ratedBefore);
  });

  it('a page that does not select csatCanRate (or skips it) records none, in one statement', async () => {
    const { ws, token, page } = await portalPage();
    const ratedBefore = await offers(ws);
    for (const [query, variables] of [[WITHOUT, {}], [SKIPPED, { no: true }]] as const) {
      const before = ctx.app.sqlCount();
      await ctx.app.gql(query, { r: reps(page), ...variables }, { token });
      expect(ctx.app.sqlCount() - before).toBe(1);
    }
    expect(await offers(ws)).toEqual(ratedBefore);
    await ctx.app.gql(SKIPPED, { r: reps(page), no: false }, { token });
    expect((await offers(ws)).length).toBeGreaterThan(ratedBefore.length);
  });

  it('staff and anonymous pages never write', async () => {
    const { ws, page } = await portalPage();
    const ratedBefore = await offers(ws);
    for (const role of ['agent', 'admin'] as const) {
      const before = ctx.app.sqlCount();
      await ctx.app.gql(WITH_CAN_RATE, { r: reps(page) }, { token: await tokenFor(viewer(role, ws)) });
      expect(ctx.app.sqlCount() - before).toBe(1);
    }
    const before = ctx.app.sqlCount();
    await ctx.app.gql(WITH_CAN_RATE, { r: reps(page) });
    expect(ctx.app.sqlCount()).toBe(before);
    expect(await offers(ws)).toEqual(ratedBefore);
  });

  it('csatTicket with csatCanRate records the offer too', async () => {
    const ws = randomUUID();
    const me = viewer('customer', ws);
    const ticket = await createTicket(ctx.pool, { workspace: ws, requester: me.sub, status: 'resolved' });
    await ctx.app.gql(`query($id: ID!) { csatTicket(id: $id) { id csatRating } }`, { id: ticket.id }, { token: await tokenFor(me) });
    expect(await offers(ws)).toEqual([]);
    await ctx.app.gql(`query($id: ID!) { csatTicket(id: $id) { id csatCanRate } }`, { id: ticket.id }, { token: await tokenFor(me) });
    expect((await offers(ws)).map((o) => o.ticket_id)).toEqual([ticket.id]);
  });

  it('rateTicket records an offer when none exists, and keeps an earlier one; the rollup counts it rated either way', async () => {
    const ws = randomUUID();
    const me = viewer('customer', ws);
    const token = await tokenFor(me);
    const assignee = randomUUID();
    const unseen = await createTicket(ctx.pool, { workspace: ws, requester: me.sub, status: 'resolved', assignee });
    const seen = await createTicket(ctx.pool, { workspace: ws, requester: me.sub, status: 'closed', assignee });
    await ctx.app.gql(WITH_CAN_RATE, { r: reps([seen]) }, { token });
    const [offerSeen] = await offers(ws);
    for (const ticket of [unseen, seen]) {
      const before = ctx.app.sqlCount();
      const res = await ctx.app.gql(RATE, { id: ticket.id, rating: 5 }, { token });
      expect(res.data.rateTicket.csatRating).toBe(5);
      expect(ctx.app.sqlCount() - before).toBe(1);
    }
    const after = await offers(ws);
    expect(after).toHaveLength(2);
    expect(after.find((o) => o.ticket_id === seen.id)).toEqual(offerSeen);
    const { rows } = await ctx.pool.query(`select rated_at from csat_rating where ticket_id = $1`, [unseen.id]);
    expect(after.find((o) => o.ticket_id === unseen.id)!.offered_at).toEqual(rows[0].rated_at);
    expect(await offerRollup(ws)).toEqual([{ assignee_id: assignee, offered: 2, rated: 2 }]);
    const { rows: flags } = await ctx.pool.query(`select bool_and(rated) as all_rated from csat_offer where workspace_id = $1`, [ws]);
    expect(flags[0].all_rated).toBe(true);
  });

  it('pages and ratings at once: no error, one offer per ticket, rollups equal to the rows', async () => {
    const ws = randomUUID();
    const me = viewer('customer', ws);
    const token = await tokenFor(me);
    const agents = [randomUUID(), randomUUID(), randomUUID()];
    const tickets: TicketFixture[] = [];
    for (let i = 0; i < 30; i++) tickets.push(await createTicket(ctx.pool, { workspace: ws, requester: me.sub, status: 'resolved', assignee: agents[i % 3]! }));
    // Pages in different orders (their offers' rows in other orders), and ratings of some of the same tickets.
    const calls = [
      ...Array.from({ length: 6 }, (_, i) => ctx.app.gql(WITH_CAN_RATE, { r: reps(i % 2 ? [...tickets].reverse() : tickets) }, { token })),
      ...tickets.slice(0, 10).map((x, i) => ctx.app.gql(RATE, { id: x.id, rating: 1 + (i % 5) }, { token })),
    ];
    const answers = await Promise.all(calls);
    expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
    const stored = await offers(ws);
    expect(stored.map((o) => o.ticket_id).sort()).toEqual(tickets.map((x) => x.id).sort());
    const { rows } = await ctx.pool.query(
      `select assignee_id, count(*)::int as offered, (count(*) filter (where rated))::int as rated from csat_offer where workspace_id = $1 group by assignee_id order by assignee_id`,
      [ws],
    );
    expect(await offerRollup(ws)).toEqual(rows);
    expect(rows.reduce((s: number, r: any) => s + r.rated, 0)).toBe(10);
  });
});
