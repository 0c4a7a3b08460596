// Property tests over the two inputs clients control, against the real service and PostgreSQL (bounded runs):
// every answer is data or a documented code, never INTERNAL_SERVER_ERROR, and nothing invalid is stored.
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const DOCUMENTED = new Set(['UNAUTHENTICATED', 'NOT_FOUND', 'BAD_USER_INPUT', 'TICKET_NOT_RESOLVED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST']);
const RATE = `mutation($t: ID!, $r: Int!, $c: String) { rateTicket(ticketId: $t, rating: $r, comment: $c) { id csatRating csatComment csatRatedAt csatCanRate } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }`;

const ctx = useTestApp({ LOG_LEVEL: 'warn' });
const workspace = randomUUID();
const requester = viewer('customer', workspace);
let tickets: TicketFixture[];
let tokens: (string | null)[];
beforeAll(async () => {
  const statuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
  tickets = await Promise.all(Array.from({ length: 60 }, (_, i) => createTicket(ctx.pool, { workspace, requester: requester.sub, status: statuses[i % 5]! })));
  tokens = [await tokenFor(requester), await tokenFor(viewer('customer', workspace)), await tokenFor(viewer('agent', workspace)), await tokenFor(viewer('admin', randomUUID())), null];
});

async function post(body: unknown, token: string | null) {
  const res = await fetch(ctx.app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

function expectDocumented(answer: Awaited<ReturnType<typeof post>>) {
  expect([200, 400, 401]).toContain(answer.status);
  for (const e of answer.body.errors ?? []) expect(DOCUMENTED).toContain(e.extensions?.code);
}

// Comments: any code points (lone surrogates and NUL included), white space of every kind, and lengths around 2000.
const comment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0085', '\u00a0\u3000', '\u0000', '\ud800', 'ok\udfff', '=HYPERLINK("x")'),
  fc.integer({ min: 1995, max: 2005 }).map((n) => '😀'.repeat(n)),
  fc.integer({ min: 1995, max: 2005 }).map((n) => ` ${'a'.repeat(n)}\u0085`),
);

describe('rateTicket, fuzzed', () => {
  it('answers data or a documented code for any rating, comment, ticket id and caller; stores only valid ratings, once per ticket', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Weighted towards calls that can store a rating (the requester, a valid rating, a real ticket), so that
        // the stored rows below are many, not a lucky few.
        fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 5 }) }, fc.integer({ min: -3, max: 8 }), fc.integer()),
        fc.option(comment, { nil: null }),
        fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...tickets.map((x) => x.id)) }, fc.uuid(), fc.string({ maxLength: 40 }), fc.constantFrom(tickets[3]!.id.toUpperCase())),
        fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.nat({ max: tokens.length - 1 })),
        async (rating, c, ticketId, who) => {
          const answer = await post({ query: RATE, variables: { t: ticketId, r: rating, c } }, tokens[who]!);
          expectDocumented(answer);
        },
      ),
      { numRuns: 150 },
    );
    const { rows } = await ctx.pool.query<{ ticket_id: string; rating: number; comment: string | null; n: number }>(
      `select ticket_id, rating, comment, count(*) over (partition by ticket_id)::int as n from csat_rating where workspace_id = $1`,
      [workspace],
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.n).toBe(1);
      expect(r.rating).toBeGreaterThanOrEqual(1);
      expect(r.rating).toBeLessThanOrEqual(5);
      if (r.comment !== null) {
        expect(r.comment.isWellFormed()).toBe(true);
        expect(r.comment).not.toContain('\u0000');
        expect([...r.comment].length).toBeGreaterThanOrEqual(1);
        expect([...r.comment].length).toBeLessThanOrEqual(2000);
        expect(r.comment).toBe(r.comment.replace(/^[\p{White_Space}\uFEFF]+|[\p{White_Space}\uFEFF]+$/gu, ''));
      }
    }
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('_entities, fuzzed', () => {
  it('answers data or a documented code for any representations and caller', async () => {
    const representation = fc.oneof(
      fc.record({ __typename: fc.constantFrom('Ticket', 'Query', 'Mutation', '_Service', '__Schema', 'Invoice', ''), id: fc.oneof(fc.constantFrom(...tickets.map((x) => x.id)), fc.uuid(), fc.string(), fc.anything()) }),
      fc.record({ __typename: fc.constant('Ticket') }),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(representation, { maxLength: 30 }), fc.nat({ max: tokens.length - 1 }), async (r, who) => {
        const answer = await post({ query: ENTITIES, variables: { r } }, tokens[who]!);
        expectDocumented(answer);
      }),
      { numRuns: 150 },
    );
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
