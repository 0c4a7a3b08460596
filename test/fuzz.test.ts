// Property tests over what clients control, against the real service and PostgreSQL (bounded runs): rateTicket's
// and _entities' inputs in depth, then every argument of every query and mutation of the schema (the list comes
// from the schema itself, so a new argument is fuzzed without touching this file). Every answer is data or a
// documented code, never INTERNAL_SERVER_ERROR, and nothing invalid is stored.
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
} from 'graphql';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCsatSubgraphSchema } from '../src/server/subgraph.schema.js';
import type { HostLookup } from '../src/webhooks/url.guard.js';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { seedRatings } from './helpers/insights.fixtures.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const DOCUMENTED = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'TICKET_NOT_RESOLVED',
  'CSAT_DISABLED',
  'ALREADY_RATED',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
]);
const RATE = `mutation($t: ID!, $r: Int!, $c: String) { rateTicket(ticketId: $t, rating: $r, comment: $c) { id csatRating csatComment csatRatedAt csatCanRate } }`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }`;

// Webhook URLs: names under example.test resolve to one public address, every other name to nothing; no DNS, and
// no worker (the test app's default), so nothing stored is ever called.
const lookup: HostLookup = async (host) => {
  if (host.endsWith('.example.test')) return [{ address: '93.184.215.14', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
};
const ctx = useTestApp({ LOG_LEVEL: 'warn' }, { lookup });
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

// ---- Every argument of every operation ------------------------------------------------------------------------

/** The schema the service serves (with _entities and _service), read at collection time so each field is a test. */
const { schema } = await buildCsatSubgraphSchema();
const ROOT_FIELDS = [schema.getQueryType()!, schema.getMutationType()!].flatMap((root) =>
  Object.values(root.getFields()).map((field) => ({ operation: root === schema.getMutationType() ? 'mutation' : 'query', field })),
);

/** Instants at and past every edge: PostgreSQL's range, ours, RFC 3339's grammar, what Date.parse guesses at. */
const EDGE_INSTANTS = [
  '0000-01-01T00:00:00Z',
  '0000-12-31T23:59:59.999Z',
  '0001-01-01T00:00:00Z',
  '0001-01-01T00:00:00+00:01',
  '0099-12-31T23:59:59Z',
  '0100-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999-00:01',
  '10000-01-01T00:00:00Z',
  '+010000-01-01T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '-271821-04-20T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '2016-12-31T23:59:60Z',
  '2025-06-30T23:59:60+00:00',
  '2025-01-01T00:00:00+24:00',
  '2025-01-01T00:00:00-23:59',
  '2025-01-01T24:00:00Z',
  '2025-02-29T00:00:00Z',
  '2024-02-29T00:00:00Z',
  '2025-01-01t00:00:00z',
  '2025-01-01T00:00:00',
  '2025-01-01',
  '2025-01-01 00:00:00Z',
  '2025-01-01T00:00:00.123456789Z',
  '2025-01-01T00:00:00.1234567890Z',
  '1',
  '-1',
  'now',
  '',
];
const instant = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EDGE_INSTANTS) },
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.string({ maxLength: 30 }),
);
const b64 = (text: string) => Buffer.from(text).toString('base64url');

const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', 'x\udfff', '😀', '\u202e\u2066', "' or 1=1 --", '%00', '$1', '\\', '"', '{}', 'null', '__proto__'),
  fc.integer({ min: 1995, max: 2005 }).map((n) => 'x'.repeat(n)),
  fc.constant('y'.repeat(100_000)),
);
/** Filled in beforeAll: real ids and cursors of the fuzzed workspace, so that arguments reach past "not found". */
const pool = { ids: [] as string[], cursors: [] as string[] };
const poolId = fc.constant(null).chain(() => (pool.ids.length ? fc.constantFrom(...pool.ids) : fc.uuid()));
const realCursor = fc.nat().map((i) => pool.cursors[i % Math.max(1, pool.cursors.length)] ?? '');
const cursorLike = fc.oneof(
  realCursor,
  // A real insights cursor (its order and filter hash) with its time key at an edge.
  fc.tuple(realCursor, fc.constantFrom(...EDGE_INSTANTS)).map(([real, at]) => {
    try {
      const body = JSON.parse(Buffer.from(real, 'base64url').toString()) as { k: unknown[] };
      return b64(JSON.stringify({ ...body, k: body.k.map((k) => (typeof k === 'string' && /^\d{4}-/.test(k) ? at : k)) }));
    } catch {
      return b64(at);
    }
  }),
  // A deliveries cursor (its order, a webhook id, [instant, uuid]) with its time key at an edge.
  fc.tuple(poolId, fc.constantFrom(...EDGE_INSTANTS), fc.oneof(fc.uuid(), fc.constant('x'))).map(([webhook, at, id]) => b64(JSON.stringify({ o: 'CREATED_AT_DESC', f: webhook.toLowerCase(), k: [at, id] }))),
  oddString.map(b64),
);
const urlLike = fc.oneof(
  fc.constantFrom('https://hooks.example.test/csat', 'https://[::7f00:1]/', 'https://[2002:7f00:1::1]/', 'http://127.0.0.1/', 'https://unknown.invalid/', 'javascript:alert(1)', 'https://user:pw@hooks.example.test/'),
  oddString.map((x) => `https://${x}/`),
);
const str = fc.oneof(oddString, cursorLike, urlLike, instant);
const id = fc.oneof(
  { weight: 3, arbitrary: poolId },
  fc.uuid(),
  fc.uuid().map((u) => u.toUpperCase()),
  oddString,
  fc.integer(),
);
const int = fc.oneof(
  fc.constantFrom(0, 1, -1, 2, 5, 6, 30, 100, 101, 200, 201, 2000, 2001, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 1e300, 1.5),
  fc.integer(),
);
/** A scalar's values (anything else, a wrong type, is mixed in by inputValue); `plausible` leans to values that pass. */
function scalarValue(name: string, plausible: boolean): fc.Arbitrary<unknown> {
  const lean = (likely: fc.Arbitrary<unknown>, any: fc.Arbitrary<unknown>) => (plausible ? fc.oneof({ weight: 2, arbitrary: likely }, any) : any);
  switch (name) {
    case 'ID':
      return lean(poolId, id);
    case 'String':
      return str;
    case 'Int':
      return lean(fc.integer({ min: 1, max: 5 }), int);
    case 'Float':
      return fc.oneof(fc.double(), int);
    case 'Boolean':
      return fc.boolean();
    case 'DateTime':
      return instant;
    case '_Any':
      return fc.oneof(fc.record({ __typename: fc.constantFrom('Ticket', 'Query', ''), id }), fc.anything());
    default:
      return fc.oneof(str, int, fc.anything());
  }
}

/** Marks an argument or input field left out. */
const OMIT = Symbol('omit');
/** Left out now and then: only where that is allowed, unless hostile. */
const optional = (type: GraphQLInputType, value: fc.Arbitrary<unknown>, hostile: boolean) =>
  hostile || !isNonNullType(type) ? fc.oneof({ weight: 2, arbitrary: value }, fc.constant(OMIT)) : value;

/**
 * Values for an input type. Well-typed (`hostile` false): the right shapes, nulls only where allowed, so that calls
 * reach the resolvers and the SQL with odd scalars. Hostile: also nulls where not allowed, wrong types, unknown
 * input fields, lists of a hundred, single values for lists, enum values that do not exist.
 */
function inputValue(type: GraphQLInputType, hostile: boolean, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.anything({ maxDepth: 2 }), fc.constant(null));
  if (isNonNullType(type)) return hostile ? fc.oneof({ weight: 20, arbitrary: inputValue(type.ofType, hostile, depth) }, wrong) : inputValue(type.ofType, hostile, depth);
  let inner: fc.Arbitrary<unknown>;
  if (isListType(type)) {
    const item = inputValue(type.ofType, hostile, depth + 1);
    inner = hostile
      ? fc.oneof(
          { weight: 6, arbitrary: fc.array(item, { maxLength: 6 }) },
          fc.array(item, { minLength: 95, maxLength: 110 }),
          // A single value where a list is expected: graphql-js coerces it to a list of one.
          item,
        )
      : fc.array(item, { minLength: 1, maxLength: 4 });
  } else if (isInputObjectType(type)) {
    const fields = fc.record(Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, optional(f.type, inputValue(f.type, hostile, depth + 1), hostile)])));
    const extra = hostile ? fc.option(fc.tuple(fc.constantFrom('unknownField', '__proto__', 'ratedfrom'), fc.anything({ maxDepth: 1 })), { freq: 5 }) : fc.constant(null);
    inner =
      depth > 3
        ? fc.constant({})
        : fc.tuple(fields, extra).map(([given, more]) => {
            const out: Record<string, unknown> = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== OMIT));
            if (more) out[more[0]] = more[1];
            return out;
          });
  } else if (isEnumType(type)) {
    const values = fc.constantFrom(...type.getValues().map((v) => v.name));
    inner = hostile ? fc.oneof({ weight: 3, arbitrary: values }, fc.constantFrom('RATED_AT_DES', 'rated_at_desc', '', 'csat.rating.created')) : values;
  } else inner = scalarValue(getNamedType(type).name, !hostile);
  return hostile ? fc.oneof({ weight: 20, arbitrary: inner }, { weight: 2, arbitrary: fc.constant(null) }, wrong) : fc.oneof({ weight: 6, arbitrary: inner }, fc.constant(null));
}

/** A selection of every field without required arguments, objects to a small depth (within LIMIT_DEPTH and LIMIT_COST). */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) return `{ __typename ${named.getTypes().map((t) => `... on ${t.name} ${selection(t, depth + 1)}`).join(' ')} }`;
  if (!isObjectType(named)) return '{ __typename }';
  const fields = Object.values(named.getFields()).filter((f) => !f.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined));
  const parts = fields.flatMap((f) => (isLeafType(getNamedType(f.type)) ? [f.name] : depth < 3 ? [`${f.name} ${selection(f.type, depth + 1)}`] : []));
  return `{ __typename ${parts.join(' ')} }`;
}

/** A value as a GraphQL literal (enum names bare); undefined when it cannot be written as one. */
function literal(value: unknown, type: GraphQLInputType | null): string {
  const t = type && isNonNullType(type) ? type.ofType : type;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, t && isListType(t) ? t.ofType : null)).join(', ')}]`;
  if (t && isListType(t)) return literal(value, t.ofType);
  if (typeof value === 'object') {
    const fields = t && isInputObjectType(t) ? t.getFields() : {};
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k));
    return `{ ${entries.map(([k, v]) => `${k}: ${literal(v, fields[k]?.type ?? null)}`).join(', ')} }`;
  }
  if (typeof value === 'string' && t && isEnumType(t) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value) && !['true', 'false', 'null'].includes(value)) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  return 'null';
}

function document(operation: string, field: GraphQLField<unknown, unknown>, args: Record<string, unknown>, asLiterals: boolean): { query: string; variables: Record<string, unknown> } {
  const given = field.args.filter((a) => args[a.name] !== OMIT);
  const sel = selection(field.type);
  if (asLiterals) {
    const list = given.map((a) => `${a.name}: ${literal(args[a.name], a.type)}`).join(', ');
    return { query: `${operation} { ${field.name}${list ? `(${list})` : ''} ${sel} }`, variables: {} };
  }
  const defs = given.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const list = given.map((a) => `${a.name}: $${a.name}`).join(', ');
  return {
    query: `${operation}${defs ? `(${defs})` : ''} { ${field.name}${list ? `(${list})` : ''} ${sel} }`,
    variables: Object.fromEntries(given.map((a) => [a.name, args[a.name]])),
  };
}

describe('every argument of every operation, fuzzed', () => {
  const ws = randomUUID();
  const customer = viewer('customer', ws);
  const callers: (string | null)[] = [];
  beforeAll(async () => {
    const admin = await tokenFor(viewer('admin', ws));
    callers.push(admin, await tokenFor(viewer('agent', ws)), await tokenFor(customer), await tokenFor(viewer('admin', randomUUID())), null);
    await seedRatings(ctx.pool, { workspace: ws, n: 20, assignees: [randomUUID(), null], seed: 11 });
    const open = await Promise.all(Array.from({ length: 8 }, (_, i) => createTicket(ctx.pool, { workspace: ws, requester: customer.sub, status: i % 2 ? 'resolved' : 'open' })));
    const hook = await ctx.app.gql(`mutation { createCsatWebhook(input: { url: "https://hooks.example.test/csat", events: [CSAT_RATING_CREATED] }) { webhook { id } } }`, undefined, { token: admin });
    const webhookId = hook.data.createCsatWebhook.webhook.id as string;
    for (const t of open.filter((_, i) => i % 2).slice(0, 2)) await ctx.app.gql(`mutation($t: ID!) { rateTicket(ticketId: $t, rating: 2) { id } }`, { t: t.id }, { token: callers[2] });
    const lists = await ctx.app.gql(
      `query($w: ID!) { csatRatings(first: 1) { pageInfo { endCursor } } csatAgentSummaries(first: 1) { pageInfo { endCursor } }
        csatWebhookDeliveries(webhookId: $w, first: 1) { edges { node { id } } pageInfo { endCursor } } }`,
      { w: webhookId },
      { token: admin },
    );
    expect(lists.errors).toBeUndefined();
    pool.cursors.push(lists.data.csatRatings.pageInfo.endCursor, lists.data.csatAgentSummaries.pageInfo.endCursor, lists.data.csatWebhookDeliveries.pageInfo.endCursor);
    pool.ids.push(ws, webhookId, lists.data.csatWebhookDeliveries.edges[0].node.id, ...open.map((t) => t.id));
  });

  it('covers every query and mutation of the schema', () => {
    expect(ROOT_FIELDS.map((f) => f.field.name)).toEqual(expect.arrayContaining(['csatRatings', 'csatSummary', 'csatAgentSummaries', 'csatWebhookDeliveries', 'rateTicket', 'createCsatWebhook', '_entities']));
  });

  it('more bad variable values than graphql-js coerces (it stops at 50) are BAD_USER_INPUT, not an internal error', async () => {
    const answer = await post({ query: 'query($c: [CsatChannel!]) { csatSummary(channels: $c) { count } }', variables: { c: Array.from({ length: 60 }, () => 'NOT_A_CHANNEL') } }, callers[0]!);
    expectDocumented(answer);
    expect(JSON.stringify(answer)).toContain('BAD_USER_INPUT');
    expect(JSON.stringify(answer)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it.each(ROOT_FIELDS.map((f) => [`${f.operation} ${f.field.name}(${f.field.args.map((a) => a.name).join(', ')})`, f] as const))('%s', async (_, { operation, field }) => {
    const argsOf = (hostile: boolean) => fc.record(Object.fromEntries(field.args.map((a) => [a.name, optional(a.type, inputValue(a.type, hostile), hostile)])));
    const args = fc.oneof({ weight: 2, arbitrary: argsOf(false) }, argsOf(true));
    await fc.assert(
      // Mostly the workspace's admin and agent, who get past the role checks to the SQL.
      fc.asyncProperty(args, fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1) }, fc.nat({ max: callers.length - 1 })), fc.boolean(), async (values, who, asLiterals) => {
        const body = document(operation, field, values, asLiterals);
        const answer = await post(body, callers[who]!);
        expectDocumented(answer);
      }),
      { numRuns: 50 },
    );
    expect(ctx.app.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
