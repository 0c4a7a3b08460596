import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } }
}`;
// The inbox's page (no comments): 5000 commented tickets would be over LIMIT_ANSWER_BYTES (docs/contract.md, Limits).
const ENTITIES_NO_COMMENT = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Ticket { id csatRating csatRatedAt csatCanRate } }
}`;
const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'Ticket', id }));
const HIDDEN = { csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false };
const RATED_ROW = { csatRating: 2, csatComment: 'Took a while, but solved.', csatRatedAt: '2026-11-20T10:00:00.123Z', csatCanRate: false };

const ctx = useTestApp({ LOG_LEVEL: 'warn' });
const wsA = randomUUID();
const wsB = randomUUID();
const requester = randomUUID();
let rated: TicketFixture;
let unratedResolved: TicketFixture;
let open: TicketFixture;

async function rate(ticket: TicketFixture, rating: number, comment: string | null) {
  await ctx.pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at)
     values ($1, $2, $3, $4, $5, $6, '2026-11-20T10:00:00.123Z')`,
    [ticket.workspace, ticket.id, rating, comment, ticket.requester, ticket.assignee],
  );
}

beforeAll(async () => {
  rated = await createTicket(ctx.pool, { workspace: wsA, requester, status: 'closed' });
  unratedResolved = await createTicket(ctx.pool, { workspace: wsA, requester, status: 'resolved' });
  open = await createTicket(ctx.pool, { workspace: wsA, requester, status: 'open' });
  await rate(rated, 2, 'Took a while, but solved.');
});

describe('who sees the CSAT fields', () => {
  const RATED_VIEW = { csatRating: 2, csatComment: 'Took a while, but solved.', csatRatedAt: '2026-11-20T10:00:00.123Z' };

  it('agents and admins of the workspace see ratings; csatCanRate stays false for them', async () => {
    for (const role of ['agent', 'admin'] as const) {
      const token = await tokenFor(viewer(role, wsA));
      const res = await ctx.app.gql(ENTITIES, { r: reps([rated.id, unratedResolved.id]) }, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data._entities).toEqual([
        { id: rated.id, ...RATED_VIEW, csatCanRate: false },
        { id: unratedResolved.id, ...HIDDEN },
      ]);
    }
  });

  it('the requester sees their ratings, and csatCanRate only on their resolved/closed unrated ticket', async () => {
    const token = await tokenFor(viewer('customer', wsA, requester));
    const res = await ctx.app.gql(ENTITIES, { r: reps([rated.id, unratedResolved.id, open.id]) }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: rated.id, ...RATED_VIEW, csatCanRate: false },
      { id: unratedResolved.id, ...HIDDEN, csatCanRate: true },
      { id: open.id, ...HIDDEN },
    ]);
  });

  it('another customer of the same workspace, another workspace\'s agent, and anonymous callers get nulls and no error', async () => {
    const tokens = [
      await tokenFor(viewer('customer', wsA)),
      await tokenFor(viewer('agent', wsB)),
      await tokenFor(viewer('admin', wsB)),
      await tokenFor(viewer('customer', wsB, requester)), // the requester's id, but a token of another workspace
      null,
    ];
    const results = [];
    for (const token of tokens) {
      const res = await ctx.app.gql(ENTITIES, { r: reps([rated.id, unratedResolved.id]) }, { token });
      expect(res.errors).toBeUndefined();
      results.push(res.data._entities);
    }
    for (const r of results) {
      expect(r).toEqual([{ id: rated.id, ...HIDDEN }, { id: unratedResolved.id, ...HIDDEN }]);
    }
  });
});

describe('one SQL statement per _entities call (no N+1)', () => {
  let page: TicketFixture[];
  beforeAll(async () => {
    // 5000 tickets in one workspace, half of them resolved; a third of the resolved ones rated. Set up outside the app.
    const { rows } = await ctx.pool.query<{ id: string }>(
      `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
       select $1, 'B-' || g, 'bulk ' || g, case when g % 2 = 0 then 'resolved' else 'open' end, $2, $3
         from generate_series(1, 5000) g
       returning id`,
      [wsB, requester, randomUUID()],
    );
    page = rows.map((r) => ({ id: r.id, workspace: wsB, requester, assignee: null, status: 'resolved' })); // only ids are used
    await ctx.pool.query(
      `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by)
       select t.workspace_id, t.id, 1 + (row_number() over (order by t.id)) % 5, 'c-' || t.ref, t.requester_id
         from ticket t where t.workspace_id = $1 and t.status = 'resolved' and t.id = any($2::uuid[])`,
      [wsB, page.filter((_, i) => i % 3 === 0).map((p) => p.id)],
    );
  });

  it.each([1, 50, 500, 5000])('N = %i representations: exactly 1 statement, results in key order', async (n) => {
    const token = await tokenFor(viewer('agent', wsB));
    const ids = page.slice(0, n).map((p) => p.id).reverse();
    const before = ctx.app.sqlCount();
    const withComments = n <= 1000;
    const res = await ctx.app.gql(withComments ? ENTITIES : ENTITIES_NO_COMMENT, { r: reps(ids) }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((e: { id: string }) => e.id)).toEqual(ids);

    const { rows } = await ctx.pool.query<{ id: string; rating: number | null; comment: string | null }>(
      `select t.id, r.rating, r.comment from ticket t left join csat_rating r on r.ticket_id = t.id where t.id = any($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const e of res.data._entities) {
      expect(e.csatRating).toBe(byId.get(e.id)!.rating);
      if (withComments) expect(e.csatComment).toBe(byId.get(e.id)!.comment);
    }
  });

  it.each([1, 50, 500])('a customer\'s page of %i: exactly 1 statement too, csatCanRate from the ticket\'s status', async (n) => {
    const token = await tokenFor(viewer('customer', wsB, requester));
    const ids = page.slice(0, n).map((p) => p.id);
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(ENTITIES, { r: reps(ids) }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.errors).toBeUndefined();
    const { rows } = await ctx.pool.query<{ id: string; status: string; rating: number | null }>(
      `select t.id, t.status, r.rating from ticket t left join csat_rating r on r.ticket_id = t.id where t.id = any($1::uuid[])`,
      [ids],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(res.data._entities.map((e: { id: string }) => e.id)).toEqual(ids);
    for (const e of res.data._entities) {
      const row = byId.get(e.id)!;
      expect(e.csatRating).toBe(row.rating);
      expect(e.csatCanRate).toBe(row.rating === null && row.status === 'resolved');
    }
    if (n >= 50) expect(res.data._entities.some((e: { csatCanRate: boolean }) => e.csatCanRate)).toBe(true);
  });

  it('an anonymous page sends no SQL at all: nothing on it is theirs to see', async () => {
    const ids = page.slice(0, 50).map((p) => p.id);
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(ENTITIES, { r: reps(ids) });
    expect(ctx.app.sqlCount() - before).toBe(0);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual(ids.map((id) => ({ id, ...HIDDEN })));
  });

  it('unknown, malformed and duplicate ids come back in place with nulls, still in one statement', async () => {
    const token = await tokenFor(viewer('agent', wsA));
    const unknown = randomUUID();
    const ids = [unknown, rated.id, 'not-a-uuid', rated.id.toUpperCase(), rated.id, ''];
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(ENTITIES, { r: reps(ids) }, { token });
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((e: { id: string }) => e.id)).toEqual(ids);
    expect(res.data._entities[0]).toEqual({ id: unknown, ...HIDDEN });
    expect(res.data._entities[1].csatRating).toBe(2);
    expect(res.data._entities[2]).toEqual({ id: 'not-a-uuid', ...HIDDEN });
    expect(res.data._entities[3].csatRating).toBe(2);
    expect(res.data._entities[4].csatRating).toBe(2);
  });

  it('representations without a usable id come back null in place; the rest of the page still resolves', async () => {
    const token = await tokenFor(viewer('agent', wsA));
    const r = [{ __typename: 'Ticket', id: rated.id }, { __typename: 'Ticket' }, { __typename: 'Ticket', id: null }, { __typename: 'Ticket', id: { a: 1 } }, { __typename: 'Ticket', id: 42 }];
    const res = await ctx.app.gql(ENTITIES, { r }, { token });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([{ id: rated.id, ...RATED_ROW }, null, null, null, { id: '42', ...HIDDEN }]);
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a representation with a missing or foreign __typename is the caller\'s error: BAD_USER_INPUT, not logged as ours', async () => {
    const token = await tokenFor(viewer('agent', wsA));
    for (const r of [[{ id: rated.id }], [{ __typename: 'Invoice', id: rated.id }], ['x']]) {
      const res = await ctx.app.gql(ENTITIES, { r }, { token });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a page of only malformed ids sends no SQL at all', async () => {
    const token = await tokenFor(viewer('agent', wsA));
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(ENTITIES, { r: reps(['x', 'y']) }, { token });
    expect(ctx.app.sqlCount() - before).toBe(0);
    expect(res.data._entities).toEqual([{ id: 'x', ...HIDDEN }, { id: 'y', ...HIDDEN }]);
  });

  it('loader caches live one request: the same page twice is two statements', async () => {
    const token = await tokenFor(viewer('agent', wsA));
    const before = ctx.app.sqlCount();
    await ctx.app.gql(ENTITIES, { r: reps([rated.id]) }, { token });
    await ctx.app.gql(ENTITIES, { r: reps([rated.id]) }, { token });
    expect(ctx.app.sqlCount() - before).toBe(2);
  });
});
