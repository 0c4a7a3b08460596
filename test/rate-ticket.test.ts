import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTicket, setStatus, storedRatings } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const RATE = `mutation Rate($ticketId: ID!, $rating: Int!, $comment: String) {
  rateTicket(ticketId: $ticketId, rating: $rating, comment: $comment) { id csatRating csatComment csatRatedAt csatCanRate }
}`;

const ctx = useTestApp();

async function customerWithTicket(status: 'resolved' | 'closed' | 'open' | 'new' | 'pending' = 'resolved') {
  const workspace = randomUUID();
  const me = viewer('customer', workspace);
  const ticket = await createTicket(ctx.pool, { workspace, requester: me.sub, status });
  return { workspace, me, ticket, token: await tokenFor(me) };
}

describe('rateTicket', () => {
  it('stores the first rating with comment, server time, rater and assignee, and returns it', async () => {
    const { me, ticket, token } = await customerWithTicket();
    const before = Date.now();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 4, comment: '  Great help, thanks!  ' }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data.rateTicket).toMatchObject({ id: ticket.id, csatRating: 4, csatComment: 'Great help, thanks!', csatCanRate: false });
    expect(res.data.rateTicket.csatRatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const [stored, ...more] = await storedRatings(ctx.pool, ticket.id);
    expect(more).toHaveLength(0);
    expect(stored).toMatchObject({ rating: 4, comment: 'Great help, thanks!', rated_by: me.sub, assignee_id: ticket.assignee, workspace_id: ticket.workspace });
    expect(stored!.rated_at.getTime()).toBeGreaterThanOrEqual(before - 2000);
    expect(new Date(res.data.rateTicket.csatRatedAt).getTime()).toBe(stored!.rated_at.getTime());
  });

  it('takes the ticket id in any letter case and answers with its canonical id', async () => {
    const { ticket, token } = await customerWithTicket();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id.toUpperCase(), rating: 4 }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data.rateTicket).toMatchObject({ id: ticket.id, csatRating: 4 });
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(1);
  });

  it('is a silent no-op after the first call: same rating, comment and time, no error', async () => {
    const { ticket, token } = await customerWithTicket('closed');
    const first = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 2, comment: 'slow' }, { token });
    const second = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5, comment: 'changed my mind' }, { token });
    const third = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token });
    expect(second.errors).toBeUndefined();
    expect(second.data.rateTicket).toEqual(first.data.rateTicket);
    expect(third.data.rateTicket).toEqual(first.data.rateTicket);
    const stored = await storedRatings(ctx.pool, ticket.id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ rating: 2, comment: 'slow' });
  });

  it('records no comment as null, and a blank comment as null', async () => {
    const a = await customerWithTicket();
    const b = await customerWithTicket();
    const ra = await ctx.app.gql(RATE, { ticketId: a.ticket.id, rating: 5 }, { token: a.token });
    const rb = await ctx.app.gql(RATE, { ticketId: b.ticket.id, rating: 3, comment: ' \n\t ' }, { token: b.token });
    expect(ra.data.rateTicket.csatComment).toBeNull();
    expect(rb.data.rateTicket.csatComment).toBeNull();
    expect((await storedRatings(ctx.pool, b.ticket.id))[0]!.comment).toBeNull();
  });

  it('stores text as given: quotes, backslashes, emoji, newlines, SQL-looking text', async () => {
    const comment = `It's "fine" \\ ok 😀\nline two'); drop table csat_rating; --`;
    const { ticket, token } = await customerWithTicket();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 3, comment }, { token });
    expect(res.data.rateTicket.csatComment).toBe(comment);
    expect((await storedRatings(ctx.pool, ticket.id))[0]!.comment).toBe(comment);
  });

  it.each([0, 6, -1, 100])('rejects rating %i with BAD_USER_INPUT and stores nothing', async (rating) => {
    const { ticket, token } = await customerWithTicket();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating }, { token });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('rejects a non-integer rating at the GraphQL layer with BAD_USER_INPUT', async () => {
    const { ticket, token } = await customerWithTicket();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 4.5 }, { token });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('accepts 2000 code points (emoji count as one each) and rejects 2001', async () => {
    const ok = await customerWithTicket();
    const long = '😀'.repeat(2000); // 4000 UTF-16 units, 2000 code points
    const res = await ctx.app.gql(RATE, { ticketId: ok.ticket.id, rating: 5, comment: `  ${long}  ` }, { token: ok.token });
    expect(res.errors).toBeUndefined();
    expect([...res.data.rateTicket.csatComment]).toHaveLength(2000);
    const { rows } = await ctx.pool.query('select char_length(comment) as n from csat_rating where ticket_id = $1', [ok.ticket.id]);
    expect(rows[0].n).toBe(2000);

    const bad = await customerWithTicket();
    const tooLong = await ctx.app.gql(RATE, { ticketId: bad.ticket.id, rating: 5, comment: 'a'.repeat(2001) }, { token: bad.token });
    expect(tooLong.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'comment' });
    expect(await storedRatings(ctx.pool, bad.ticket.id)).toHaveLength(0);
  });

  it.each([
    ['a NUL character', 'before\u0000after'],
    ['an unpaired high surrogate', 'broken \ud83d here'],
    ['an unpaired low surrogate', 'broken \ude00 here'],
  ])('rejects %s with BAD_USER_INPUT, never an internal error', async (_what, comment) => {
    const { ticket, token } = await customerWithTicket();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 4, comment }, { token });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it.each(['new', 'open', 'pending'] as const)('refuses a %s ticket with TICKET_NOT_RESOLVED', async (status) => {
    const { ticket, token } = await customerWithTicket(status);
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token });
    expect(res.errors?.[0]?.extensions?.code).toBe('TICKET_NOT_RESOLVED');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('gives NOT_FOUND to another customer, to agents and admins, and for unknown or malformed ids', async () => {
    const { workspace, ticket } = await customerWithTicket();
    const cases = [
      [await tokenFor(viewer('customer', workspace)), ticket.id],
      [await tokenFor(viewer('agent', workspace)), ticket.id],
      [await tokenFor(viewer('admin', workspace)), ticket.id],
      [await tokenFor(viewer('customer', workspace)), randomUUID()],
      [await tokenFor(viewer('customer', workspace)), 'not-a-uuid'],
      // the requester's own id in a token of another workspace
      [await tokenFor(viewer('customer', randomUUID(), ticket.requester)), ticket.id],
    ] as const;
    for (const [token, ticketId] of cases) {
      const res = await ctx.app.gql(RATE, { ticketId, rating: 5 }, { token });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expect(res.errors?.[0]?.message).toBe('ticket not found');
    }
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('answers an unknown ticket and another customer\'s ticket identically (no existence leak)', async () => {
    const { workspace, ticket } = await customerWithTicket('open');
    const stranger = await tokenFor(viewer('customer', workspace));
    const theirs = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token: stranger });
    const unknown = await ctx.app.gql(RATE, { ticketId: randomUUID(), rating: 5 }, { token: stranger });
    expect(theirs.errors).toEqual(unknown.errors);
  });

  it('needs a token: UNAUTHENTICATED without one', async () => {
    const { ticket } = await customerWithTicket();
    const res = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5 });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await storedRatings(ctx.pool, ticket.id)).toHaveLength(0);
  });

  it('keeps the rating through reopen, and never takes a second one after resolving again', async () => {
    const { ticket, token } = await customerWithTicket();
    const first = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 3, comment: 'ok' }, { token });
    await setStatus(ctx.pool, ticket.id, 'open');
    const whileOpen = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 1 }, { token });
    expect(whileOpen.errors).toBeUndefined();
    expect(whileOpen.data.rateTicket).toEqual(first.data.rateTicket);
    await setStatus(ctx.pool, ticket.id, 'resolved');
    const again = await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5, comment: 'better now' }, { token });
    expect(again.data.rateTicket).toEqual(first.data.rateTicket);
    expect(await storedRatings(ctx.pool, ticket.id)).toEqual([expect.objectContaining({ rating: 3, comment: 'ok' })]);
  });

  it('records the assignee at the moment of rating, not a later one', async () => {
    const { ticket, token } = await customerWithTicket();
    await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token });
    await ctx.pool.query('update ticket set assignee_id = $2 where id = $1', [ticket.id, randomUUID()]);
    expect((await storedRatings(ctx.pool, ticket.id))[0]!.assignee_id).toBe(ticket.assignee);
  });

  it('takes one SQL round trip when accepted and one on the no-op path', async () => {
    const { ticket, token } = await customerWithTicket();
    let before = ctx.app.sqlCount();
    await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    before = ctx.app.sqlCount();
    await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 2 }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    before = ctx.app.sqlCount();
    await ctx.app.gql(RATE, { ticketId: ticket.id, rating: 7 }, { token });
    expect(ctx.app.sqlCount() - before).toBe(0);
  });
});
