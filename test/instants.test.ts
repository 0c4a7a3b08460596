// Instants from clients (filters, cursors) at and past the edges of what PostgreSQL stores: refused with
// BAD_USER_INPUT naming the argument before any SQL, never INTERNAL_SERVER_ERROR; the accepted edges answer data;
// years below 100 stay themselves (not 19xx).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { readInstant } from '../src/federation/instant.parser.js';
import type { HostLookup } from '../src/webhooks/url.guard.js';
import { createTicket } from './helpers/fixtures.js';
import { insertRatings, seedRatings } from './helpers/insights.fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

// Every name resolves to one public (documentation-free) address; nothing leaves the machine: the worker is off.
const lookup: HostLookup = async () => [{ address: '93.184.215.14', family: 4 }];
const ctx = useTestApp({ LOG_LEVEL: 'warn' }, { lookup });

const ws = randomUUID();
const old = randomUUID();
let agent: string;
let oldAgent: string;
let admin: string;
let webhookId: string;

const QUERIES = {
  csatRatings: (f: string) => `csatRatings(filter: ${f}) { totalCount }`,
  csatSummary: (f: string) => `csatSummary(filter: ${f}) { count }`,
  csatAgentSummaries: (f: string) => `csatAgentSummaries(filter: ${f}) { totalCount }`,
};
const DELIVERIES = `query($id: ID!, $first: Int, $after: String) { csatWebhookDeliveries(webhookId: $id, first: $first, after: $after) { edges { cursor node { id } } pageInfo { endCursor } } }`;
const LIST = `query($filter: CsatRatingFilter, $first: Int, $after: String) { csatRatings(filter: $filter, first: $first, after: $after) { edges { cursor } pageInfo { endCursor } } }`;

/** Refused: out of PostgreSQL's range, out of ours, or text Date.parse would guess at. */
const REFUSED = [
  '0000-01-01T00:00:00Z',
  '0000-12-31T23:59:59.999Z',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '10000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+00:01',
  '9999-12-31T23:59:59.999-00:01',
  '2025-01-01T00:00:00',
  '2025-01-01T00:00:00+24:00',
  '2025-01-01T24:00:00Z',
  '2016-12-31T23:59:60Z',
  '2025-02-29T00:00:00Z',
  '2025-01-01 00:00:00Z',
  '2025-1-1T00:00:00Z',
  '1',
  '2025',
  '',
  '2025-01-01T00:00:00.1234567890Z',
];
/** Accepted: the edges of the range, lower-case t and z, offsets to ±23:59, nine fraction digits, -00:00. */
const ACCEPTED = ['0001-01-01T00:00:00Z', '0099-12-31t23:59:59.999999999z', '0100-01-01T00:00:00-23:59', '9999-12-31T23:59:59.999Z', '2024-02-29T12:00:00+23:59', '2025-06-01T00:00:00-00:00'];

beforeAll(async () => {
  await seedRatings(ctx.pool, { workspace: ws, n: 30, assignees: [randomUUID(), null], seed: 3 });
  // Ratings of 1940 (a hand-made import): a filter from year 50 must include them, one mapped to 1950 would not.
  await insertRatings(ctx.pool, old, null, [5, 4, 3], '1940-06-01T00:00:00Z');
  agent = await tokenFor(viewer('agent', ws));
  oldAgent = await tokenFor(viewer('agent', old));
  const me = viewer('admin', ws);
  admin = await tokenFor(me);
  const created = await ctx.app.gql(`mutation($i: CreateCsatWebhookInput!) { createCsatWebhook(input: $i) { webhook { id } } }`, { i: { url: 'https://hooks.example.test/csat', events: ['CSAT_RATING_CREATED'] } }, { token: admin });
  expect(created.errors).toBeUndefined();
  webhookId = created.data.createCsatWebhook.webhook.id;
  // Three accepted ratings: three deliveries (PENDING: no worker).
  const customer = viewer('customer', ws);
  for (let i = 0; i < 3; i++) {
    const t = await createTicket(ctx.pool, { workspace: ws, requester: customer.sub, status: 'resolved' });
    const rated = await ctx.app.gql(`mutation($t: ID!) { rateTicket(ticketId: $t, rating: 4) { id } }`, { t: t.id }, { token: await tokenFor(customer) });
    expect(rated.errors).toBeUndefined();
  }
});

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('instants in filters', () => {
  it.each(Object.keys(QUERIES))('%s: each refused instant, in ratedFrom or ratedTo, as a variable or a literal, is BAD_USER_INPUT on its path with no SQL', async (name) => {
    const q = QUERIES[name as keyof typeof QUERIES];
    for (const instant of REFUSED) {
      for (const part of ['ratedFrom', 'ratedTo']) {
        const before = ctx.app.sqlCount();
        const byVariable = await ctx.app.gql(`query($f: CsatRatingFilter) { ${q('$f')} }`, { f: { [part]: instant } }, { token: agent });
        expect(byVariable.errors?.[0]?.extensions, `${name} ${part} ${instant} (variable)`).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${part}` });
        expect(byVariable.errors).toHaveLength(1);
        const byOwnVariable = await ctx.app.gql(`query($d: DateTime) { ${q(`{ ${part}: $d }`)} }`, { d: instant }, { token: agent });
        expect(byOwnVariable.errors?.[0]?.extensions, `${name} ${part} ${instant} ($d)`).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${part}` });
        const byLiteral = await ctx.app.gql(`{ ${q(`{ ${part}: ${JSON.stringify(instant)} }`)} }`, undefined, { token: agent });
        expect(byLiteral.errors?.[0]?.extensions, `${name} ${part} ${instant} (literal)`).toMatchObject({ code: 'BAD_USER_INPUT', field: `filter.${part}` });
        expect(byLiteral.errors).toHaveLength(1);
        expect(ctx.app.sqlCount()).toBe(before);
      }
    }
  });

  it('the accepted edges answer data, as variables and as literals', async () => {
    for (const instant of ACCEPTED) {
      for (const q of Object.values(QUERIES)) {
        const a = await ctx.app.gql(`query($f: CsatRatingFilter) { ${q('$f')} }`, { f: { ratedFrom: instant } }, { token: agent });
        expect(a.errors, instant).toBeUndefined();
        const b = await ctx.app.gql(`{ ${q(`{ ratedTo: ${JSON.stringify(instant)} }`)} }`, undefined, { token: agent });
        expect(b.errors, instant).toBeUndefined();
      }
    }
  });

  it('years below 100 are themselves, not 19xx', async () => {
    expect(readInstant('0050-01-01T00:00:00Z')).toEqual({ ok: true, date: new Date('0050-01-01T00:00:00.000Z') });
    expect((readInstant('0050-01-01T00:00:00Z') as { date: Date }).date.getUTCFullYear()).toBe(50);
    const from50 = await ctx.app.gql(`{ csatSummary(filter: { ratedFrom: "0050-01-01T00:00:00Z" }) { count } csatRatings(filter: { ratedFrom: "0050-01-01T00:00:00Z" }) { totalCount } }`, undefined, { token: oldAgent });
    expect(from50.data).toEqual({ csatSummary: { count: 3 }, csatRatings: { totalCount: 3 } });
    const to99 = await ctx.app.gql(`query($f: CsatRatingFilter) { csatSummary(filter: $f) { count } }`, { f: { ratedTo: '0099-12-31T23:59:59Z' } }, { token: oldAgent });
    expect(to99.data).toEqual({ csatSummary: { count: 0 } });
  });

  it('two refused instants in one variable: the first in the type`s order is named, one error', async () => {
    const res = await ctx.app.gql(`query($f: CsatRatingFilter) { csatSummary(filter: $f) { count } }`, { f: { ratedTo: '0000-01-01T00:00:00Z', ratedFrom: '+275760-09-13T00:00:00Z' } }, { token: agent });
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.ratedFrom' });
  });
});

describe('instants in cursors', () => {
  it('a csatRatings cursor whose time key is out of range is a foreign cursor (after), with no SQL', async () => {
    const page = await ctx.app.gql(LIST, { first: 2 }, { token: agent });
    const real = JSON.parse(Buffer.from(page.data.csatRatings.pageInfo.endCursor, 'base64url').toString()) as { k: unknown[] };
    for (const key of ['0000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '2016-12-31T23:59:60.000Z', '1']) {
      const forged = b64(JSON.stringify({ ...real, k: [key, ...real.k.slice(1)] }));
      const before = ctx.app.sqlCount();
      const res = await ctx.app.gql(LIST, { first: 2, after: forged }, { token: agent });
      expect(res.errors?.[0]?.extensions, key).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
      expect(ctx.app.sqlCount()).toBe(before);
    }
    // The year-1 key is a valid instant: the next page is simply empty.
    const year1 = b64(JSON.stringify({ ...real, k: ['0001-01-01T00:00:00.000Z', ...real.k.slice(1)] }));
    expect((await ctx.app.gql(LIST, { first: 2, after: year1 }, { token: agent })).data.csatRatings.edges).toEqual([]);
  });

  it('csatWebhookDeliveries: cursors PostgreSQL would refuse are BAD_USER_INPUT on after; real ones page', async () => {
    const id = randomUUID();
    const first = await ctx.app.gql(DELIVERIES, { id: webhookId, first: 2 }, { token: admin });
    expect(first.data.csatWebhookDeliveries.edges).toHaveLength(2);
    // The cursor codec's form (src/federation/cursor.codec.ts): the list's order, its webhook, [created_at, id].
    const real = JSON.parse(Buffer.from(first.data.csatWebhookDeliveries.pageInfo.endCursor, 'base64url').toString()) as { k: unknown[] };
    const forged = (k: unknown[]) => b64(JSON.stringify({ ...real, k }));
    for (const k of [['1', id], ['0000-01-01T00:00:00.000Z', id], ['-000001-01-01T00:00:00.000Z', id], ['+275760-09-13T00:00:00.000Z', id], ['2025-01-01T00:00:00.000Z', id, 'x'], ['2025-01-01T00:00:00.000Z', 'not-a-uuid'], ['2025-13-01T00:00:00.000Z', id]]) {
      const res = await ctx.app.gql(DELIVERIES, { id: webhookId, after: forged(k) }, { token: admin });
      expect(res.errors?.[0]?.extensions, JSON.stringify(k)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    // The old form (instant|uuid) is no cursor of the list.
    expect((await ctx.app.gql(DELIVERIES, { id: webhookId, after: b64(`2025-01-01T00:00:00.000Z|${id}`) }, { token: admin })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const next = await ctx.app.gql(DELIVERIES, { id: webhookId, first: 2, after: first.data.csatWebhookDeliveries.pageInfo.endCursor }, { token: admin });
    expect(next.data.csatWebhookDeliveries.edges).toHaveLength(1);
    const year1 = await ctx.app.gql(DELIVERIES, { id: webhookId, after: forged(['0001-01-01T00:00:00.000Z', id]) }, { token: admin });
    expect(year1.data.csatWebhookDeliveries.edges).toEqual([]);
  });

  it('logged no internal error', () => {
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
