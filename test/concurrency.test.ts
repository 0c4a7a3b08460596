import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTicket, storedRatings, testPool } from './helpers/fixtures.js';
import { startTestApp, tokenFor, viewer, type TestApp } from './helpers/test.app.js';

const RATE = `mutation($ticketId: ID!, $rating: Int!, $comment: String) {
  rateTicket(ticketId: $ticketId, rating: $rating, comment: $comment) { id csatRating csatComment csatRatedAt csatCanRate }
}`;

let t: TestApp;
let pool: pg.Pool;
beforeAll(async () => {
  t = await startTestApp({ LOG_LEVEL: 'warn' });
  pool = testPool();
});
afterAll(async () => {
  await t?.stop();
  await pool?.end();
});

it.each([1, 2, 3])('50 simultaneous rateTicket calls store exactly one rating and all answer with it (round %i)', async () => {
  const workspace = randomUUID();
  const me = viewer('customer', workspace);
  const token = await tokenFor(me);
  const ticket = await createTicket(pool, { workspace, requester: me.sub, status: 'resolved' });

  const sqlBefore = t.sqlCount();
  const calls = Array.from({ length: 50 }, (_, i) =>
    t.gql(RATE, { ticketId: ticket.id, rating: (i % 5) + 1, comment: `call ${i}` }, { token }),
  );
  const responses = await Promise.all(calls);

  for (const r of responses) expect(r.errors).toBeUndefined();
  // At most two round trips per call, even when the insert loses the race.
  expect(t.sqlCount() - sqlBefore).toBeLessThanOrEqual(100);
  const stored = await storedRatings(pool, ticket.id);
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
