import { randomUUID } from 'node:crypto';
import { expect, it, vi } from 'vitest';
import { createTicket, storedRatings } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const RATE = `mutation($ticketId: ID!, $rating: Int!, $comment: String) {
  rateTicket(ticketId: $ticketId, rating: $rating, comment: $comment) { id csatRating csatComment csatRatedAt csatCanRate }
}`;

const ctx = useTestApp({ LOG_LEVEL: 'warn' });

it.each([1, 2, 3])('50 simultaneous rateTicket calls store exactly one rating and all answer with it (round %i)', async () => {
  const workspace = randomUUID();
  const me = viewer('customer', workspace);
  const token = await tokenFor(me);
  const ticket = await createTicket(ctx.pool, { workspace, requester: me.sub, status: 'resolved' });

  const sqlBefore = ctx.app.sqlCount();
  const calls = Array.from({ length: 50 }, (_, i) =>
    ctx.app.gql(RATE, { ticketId: ticket.id, rating: (i % 5) + 1, comment: `call ${i}` }, { token }),
  );
  const responses = await Promise.all(calls);

  for (const r of responses) expect(r.errors).toBeUndefined();
  // At most two round trips per call, even when the insert loses the race.
  expect(ctx.app.sqlCount() - sqlBefore).toBeLessThanOrEqual(100);
  const stored = await storedRatings(ctx.pool, ticket.id);
  expect(stored).toHaveLength(1);
  const winner = stored[0]!;
  const seen = new Set(responses.map((r) => JSON.stringify(r.data.rateTicket)));
  expect(seen.size).toBe(1);
  expect(responses[0]!.data.rateTicket).toMatchObject({
    csatRating: winner.rating,
    csatComment: winner.comment,
    csatRatedAt: winner.rated_at.toISOString(),
    csatCanRate: false,
  });
});

it('a first rating committed while our statement waits: the no-op answers with it, in exactly two statements', async () => {
  const workspace = randomUUID();
  const me = viewer('customer', workspace);
  const token = await tokenFor(me);
  const ticket = await createTicket(ctx.pool, { workspace, requester: me.sub, status: 'resolved' });

  // Another rateTicket "in flight": its row is inserted but not yet committed, so ours must wait on the key.
  const blocker = await ctx.pool.connect();
  try {
    await blocker.query('begin');
    await blocker.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by) values ($1, $2, 2, 'the first one', $3)`,
      [workspace, ticket.id, me.sub],
    );
    const before = ctx.app.sqlCount();
    const pending = ctx.app.gql(RATE, { ticketId: ticket.id, rating: 5, comment: 'the second one' }, { token });
    // Wait until our INSERT is really blocked on the uncommitted row, then let the first one win.
    await vi.waitFor(
      async () => {
        const { rows } = await ctx.pool.query(
          `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into csat_rating%' and pid <> $1`,
          [(blocker as unknown as { processID: number }).processID],
        );
        expect(rows.length).toBeGreaterThan(0);
      },
      { timeout: 5000, interval: 20 },
    );
    await blocker.query('commit');
    const res = await pending;
    expect(res.errors).toBeUndefined();
    expect(res.data.rateTicket).toMatchObject({ csatRating: 2, csatComment: 'the first one', csatCanRate: false });
    expect(ctx.app.sqlCount() - before).toBe(2);
    expect(await storedRatings(ctx.pool, ticket.id)).toEqual([expect.objectContaining({ rating: 2, comment: 'the first one' })]);
  } finally {
    blocker.release();
  }
});
