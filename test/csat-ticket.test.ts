// csatTicket(id): the web components' read, with the who-sees rules of `_entities`, one statement per
// request, and routed by a real gateway (which completes the Ticket from the Tickets subgraph).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Supergraph } from '../dev/supergraph.js';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';
import { startTestSupergraph } from './helpers/test.supergraph.js';

const CSAT_TICKET = `query($id: ID!) { csatTicket(id: $id) { id csatRating csatComment csatRatedAt csatCanRate } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }`;
const HIDDEN = { csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false };
const RATING = { csatRating: 4, csatComment: 'Kind and quick.', csatRatedAt: '2026-11-20T10:00:00.123Z' };

const ctx = useTestApp({ LOG_LEVEL: 'warn' });
const wsA = randomUUID();
const wsB = randomUUID();
const requester = randomUUID();
let rated: TicketFixture;
let rateable: TicketFixture;
let open: TicketFixture;

beforeAll(async () => {
  rated = await createTicket(ctx.pool, { workspace: wsA, requester, status: 'closed' });
  rateable = await createTicket(ctx.pool, { workspace: wsA, requester, status: 'resolved' });
  open = await createTicket(ctx.pool, { workspace: wsA, requester, status: 'open' });
  await ctx.pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, rated_at) values ($1, $2, 4, 'Kind and quick.', $3, $4, '2026-11-20T10:00:00.123Z')`,
    [wsA, rated.id, requester, rated.assignee],
  );
});

describe('csatTicket: who sees what (the rules of _entities)', () => {
  const callers = async () => ({
    requester: await tokenFor(viewer('customer', wsA, requester)),
    otherCustomer: await tokenFor(viewer('customer', wsA)),
    requesterInOtherWorkspace: await tokenFor(viewer('customer', wsB, requester)),
    agent: await tokenFor(viewer('agent', wsA)),
    admin: await tokenFor(viewer('admin', wsA)),
    agentOfOtherWorkspace: await tokenFor(viewer('agent', wsB)),
    adminOfOtherWorkspace: await tokenFor(viewer('admin', wsB)),
    anonymous: null,
  });

  // [caller, ticket] -> what csatTicket answers; every caller sees exactly what _entities shows them.
  const expected: Record<string, Record<'rated' | 'rateable' | 'open' | 'unknown', object>> = {
    requester: { rated: { ...RATING, csatCanRate: false }, rateable: { ...HIDDEN, csatCanRate: true }, open: HIDDEN, unknown: HIDDEN },
    otherCustomer: { rated: HIDDEN, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
    requesterInOtherWorkspace: { rated: HIDDEN, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
    agent: { rated: { ...RATING, csatCanRate: false }, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
    admin: { rated: { ...RATING, csatCanRate: false }, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
    agentOfOtherWorkspace: { rated: HIDDEN, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
    adminOfOtherWorkspace: { rated: HIDDEN, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
    anonymous: { rated: HIDDEN, rateable: HIDDEN, open: HIDDEN, unknown: HIDDEN },
  };

  it('answers every caller and ticket as the matrix says, the same as _entities, never with an error', async () => {
    const tokens = await callers();
    const tickets = { rated: rated.id, rateable: rateable.id, open: open.id, unknown: randomUUID() };
    for (const [caller, token] of Object.entries(tokens)) {
      for (const [name, id] of Object.entries(tickets) as [keyof typeof tickets, string][]) {
        const res = await ctx.app.gql(CSAT_TICKET, { id }, { token });
        expect(res.errors, `${caller} / ${name}`).toBeUndefined();
        expect(res.data.csatTicket, `${caller} / ${name}`).toEqual({ id, ...expected[caller]![name] });
        const entities = await ctx.app.gql(ENTITIES, { r: [{ __typename: 'Ticket', id }] }, { token });
        expect(entities.data._entities[0], `${caller} / ${name} via _entities`).toEqual(res.data.csatTicket);
      }
    }
  });

  it('a malformed id is a hidden ticket, not an error (as in _entities); the id comes back as given', async () => {
    const token = await tokenFor(viewer('customer', wsA, requester));
    for (const id of ['not-a-uuid', '', rated.id.toUpperCase()]) {
      const res = await ctx.app.gql(CSAT_TICKET, { id }, { token });
      expect(res.errors).toBeUndefined();
      const visible = id === rated.id.toUpperCase();
      expect(res.data.csatTicket).toEqual({ id, ...(visible ? { ...RATING, csatCanRate: false } : HIDDEN) });
    }
  });

  it('without the id argument it is a validation error', async () => {
    const res = await ctx.app.gql('{ csatTicket { id } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('csatTicket in schema.graphql', () => {
  it('is Query.csatTicket(id: ID!): Ticket', async () => {
    const { readFile } = await import('node:fs/promises');
    const { parse, print } = await import('graphql');
    const doc = parse(await readFile(new URL('../schema.graphql', import.meta.url), 'utf8'));
    const query = doc.definitions.find((d: any) => d.name?.value === 'Query') as any;
    // Other features add Query fields of their own (insights, settings, badge, webhooks): this one must be among them, as written.
    expect(query.fields.map((f: any) => `${f.name.value}(${f.arguments.map((a: any) => `${a.name.value}: ${print(a.type)}`).join(', ')}): ${print(f.type)}`)).toContain(
      'csatTicket(id: ID!): Ticket',
    );
  });
});

describe('csatTicket: SQL statements', () => {
  it('one statement for a customer and for staff; none without a token', async () => {
    const cases: [string | null, number][] = [
      [await tokenFor(viewer('customer', wsA, requester)), 1],
      [await tokenFor(viewer('agent', wsA)), 1],
      [null, 0],
    ];
    for (const [token, statements] of cases) {
      const before = ctx.app.sqlCount();
      const res = await ctx.app.gql(CSAT_TICKET, { id: rated.id }, { token });
      expect(res.errors).toBeUndefined();
      expect(ctx.app.sqlCount() - before).toBe(statements);
    }
  });

  it('several csatTicket fields of one request share one statement (the loader batch)', async () => {
    const token = await tokenFor(viewer('customer', wsA, requester));
    const before = ctx.app.sqlCount();
    const res = await ctx.app.gql(
      `query($a: ID!, $b: ID!, $c: ID!) {
        a: csatTicket(id: $a) { id csatRating csatCanRate }
        b: csatTicket(id: $b) { id csatRating csatCanRate }
        c: csatTicket(id: $c) { id csatRating csatCanRate }
      }`,
      { a: rated.id, b: rateable.id, c: open.id },
      { token },
    );
    expect(ctx.app.sqlCount() - before).toBe(1);
    expect(res.data).toEqual({
      a: { id: rated.id, csatRating: 4, csatCanRate: false },
      b: { id: rateable.id, csatRating: null, csatCanRate: true },
      c: { id: open.id, csatRating: null, csatCanRate: false },
    });
  });
});

describe('csatTicket through a real gateway', () => {
  let sg: Supergraph;
  beforeAll(async () => {
    sg = await startTestSupergraph();
  });
  afterAll(() => sg?.stop());

  async function gateway(query: string, variables: Record<string, unknown>, token: string) {
    const res = await fetch(sg.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  }

  it('routes csatTicket to this subgraph in one statement, and the Tickets subgraph adds its fields', async () => {
    const token = await tokenFor(viewer('customer', wsA, requester));
    const before = sg.csat.db.statements.total;
    const res = await gateway(`query($id: ID!) { csatTicket(id: $id) { id ref status csatRating csatComment csatCanRate } }`, { id: rated.id }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.csatTicket).toEqual({ id: rated.id, ref: `T-${rated.id.slice(0, 8)}`, status: 'closed', csatRating: 4, csatComment: 'Kind and quick.', csatCanRate: false });
    expect(sg.csat.db.statements.total - before).toBe(1);
  });

  it("another customer's ticket: nulls from this subgraph; the Tickets subgraph hides its own fields", async () => {
    const token = await tokenFor(viewer('customer', wsA));
    const csatOnly = await gateway(CSAT_TICKET, { id: rated.id }, token);
    expect(csatOnly.errors).toBeUndefined();
    expect(csatOnly.data.csatTicket).toEqual({ id: rated.id, ...HIDDEN });
    const withRef = await gateway(`query($id: ID!) { csatTicket(id: $id) { id ref csatRating } }`, { id: rated.id }, token);
    // The Tickets subgraph resolves no ticket it hides, so the router cannot complete the non-null ref: csatTicket is null.
    expect(withRef.data.csatTicket).toBeNull();
  });

  it("an agent's card query: the rating of a ticket of their workspace", async () => {
    const token = await tokenFor(viewer('agent', wsA));
    const res = await gateway(`query($id: ID!) { csatTicket(id: $id) { id csatRating csatComment csatRatedAt } }`, { id: rated.id }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.csatTicket).toEqual({ id: rated.id, ...RATING });
  });
});
