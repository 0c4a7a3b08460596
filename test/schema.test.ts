import { composeServices } from '@apollo/composition';
import { readFile } from 'node:fs/promises';
import { parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsatSubgraphSchema } from '../src/server/subgraph.schema.js';
import { startTestApp, type TestApp } from './helpers/test.app.js';

// A minimal stand-in for the helpdesk's Tickets subgraph, the owner of Ticket.
const TICKETS_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

type Ticket @key(fields: "id") {
  id: ID!
  ref: String!
  subject: String!
  status: String!
}

type Query {
  ticket(id: ID!): Ticket
  tickets(first: Int): [Ticket!]!
}
`;

describe('schema.graphql', () => {
  it('is what the server builds (run `npm run schema:print` after changing the schema)', async () => {
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    const { sdl } = await buildCsatSubgraphSchema();
    expect(committed).toBe(sdl);
  });

  it('carries the contract of docs/contract.md: Ticket @key(fields: "id") with the four CSAT fields and csatFollowUp, and rateTicket', async () => {
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toMatch(/^extend schema @link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    const doc = parse(committed);
    const ticket = doc.definitions.find((d: any) => d.name?.value === 'Ticket') as any;
    expect(ticket.directives.map((d: any) => [d.name.value, d.arguments[0].value.value])).toEqual([['key', 'id']]);
    const fields = Object.fromEntries(ticket.fields.map((f: any) => [f.name.value, printType(f.type)]));
    expect(fields).toEqual({ id: 'ID!', csatRating: 'Int', csatComment: 'String', csatRatedAt: 'DateTime', csatCanRate: 'Boolean!', csatFollowUp: 'CsatFollowUp' });
    const mutation = doc.definitions.find((d: any) => d.name?.value === 'Mutation') as any;
    const rate = mutation.fields.find((f: any) => f.name.value === 'rateTicket');
    expect(printType(rate.type)).toBe('Ticket!');
    expect(rate.arguments.map((a: any) => `${a.name.value}: ${printType(a.type)}`)).toEqual(['ticketId: ID!', 'rating: Int!', 'comment: String']);
  });

  it('composes with a Tickets subgraph that owns Ticket, without errors', async () => {
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    const result = composeServices([
      { name: 'tickets', url: 'http://tickets.invalid/graphql', typeDefs: parse(TICKETS_SDL) },
      { name: 'csat', url: 'http://csat.invalid/graphql', typeDefs: parse(committed) },
    ]);
    expect(result.errors ?? []).toEqual([]);
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toMatch(/csatRating: Int @join__field\(graph: CSAT\)/);
    expect(supergraph).toMatch(/type Mutation\s+@join__type\(graph: CSAT\)\s*\{\s*("""[^"]*"""\s*)?rateTicket\(/);
  });
});

describe('the running service', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LOG_LEVEL: 'warn' });
  });
  afterAll(() => t?.stop());

  it('serves schema.graphql through `_service { sdl }` (what the router composes from): every type as committed, and it composes', async () => {
    const res = await t.gql('{ _service { sdl } }');
    const committed = await readFile(new URL('../schema.graphql', import.meta.url), 'utf8');
    // The served SDL adds the federation definitions (@link, _Service, _Entity…) around ours; ours must be there unchanged.
    const served = new Map(parse(res.data._service.sdl).definitions.map((d: any) => [d.name?.value ?? d.kind, print(d)]));
    const ours = parse(committed).definitions.filter((d: any) => d.name && d.name.value !== 'Query');
    expect(ours.map((d: any) => d.name.value).sort()).toEqual([
      // Sorted. Insights (docs/insights.md); settings and badge (docs/settings.md), webhooks (docs/webhooks.md); the core.
      'CreateCsatWebhookInput', 'CsatAgentOrder', 'CsatAgentSummary', 'CsatAgentSummaryConnection', 'CsatAgentSummaryEdge', 'CsatBadge', 'CsatBucket', 'CsatChannel', 'CsatCommentLanguageStatus', 'CsatCommentTheme',
      'CsatDelivery', 'CsatDeliveryAttempt', 'CsatDeliveryConnection', 'CsatDeliveryEdge', 'CsatDeliveryStatus', 'CsatEventType',
      'CsatFollowUp', 'CsatFollowUpChange', 'CsatFollowUpState', 'CsatInterval', 'CsatPageInfo',
      'CsatRating', 'CsatRatingConnection', 'CsatRatingEdge', 'CsatRatingFilter', 'CsatRatingLinks', 'CsatRatingOrder', 'CsatSettings', 'CsatSettingsInput', 'CsatSummary', 'CsatTrendPoint',
      'CsatWebhook', 'CsatWebhookCreated', 'DateTime', 'Interval', 'Mutation', 'Ticket', 'UpdateCsatWebhookInput',
    ]);
    for (const d of ours as any[]) expect(served.get(d.name.value)).toBe(print(d));
    expect(res.data._service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])');
    const composed = composeServices([
      { name: 'tickets', url: 'http://tickets.invalid/graphql', typeDefs: parse(TICKETS_SDL) },
      { name: 'csat', url: 'http://csat.invalid/graphql', typeDefs: parse(res.data._service.sdl) },
    ]);
    expect(composed.errors ?? []).toEqual([]);
  });

  it('keeps introspection and _service in development; production turns both off, SERVICE_SDL=on serves _service again', async () => {
    const intro = await t.gql('{ __schema { queryType { name } } }');
    expect(intro.data.__schema.queryType.name).toBe('Query');
    expect((await t.gql('{ _service { sdl } }')).data._service.sdl).toContain('csatCanRate');
    const PROD = { LOG_LEVEL: 'warn', NODE_ENV: 'production', AUTH_ISSUER: 'https://id.example', AUTH_AUDIENCE: 'csat', RATING_LINK_SECRET: 'rating-link-secret-for-production-tests-0123', PUBLIC_URL: 'https://support.example' };
    const prod = await startTestApp(PROD);
    try {
      const blocked = await prod.gql('{ __schema { queryType { name } } }');
      expect(blocked.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      const service = await prod.gql('{ _service { sdl } }');
      expect(service.data).toBeUndefined();
      expect(service.errors?.[0]).toMatchObject({ message: expect.stringContaining('SERVICE_SDL=off'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
      const aliased = await prod.gql('{ a: _service { sdl } }');
      expect(aliased.data).toBeUndefined();
      const landing = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(landing.status).not.toBe(200);
    } finally {
      await prod.stop();
    }
    const composing = await startTestApp({ ...PROD, SERVICE_SDL: 'on' });
    try {
      expect((await composing.gql('{ _service { sdl } }')).data._service.sdl).toContain('csatCanRate');
    } finally {
      await composing.stop();
    }
  });
});

function printType(t: any): string {
  if (t.kind === 'NonNullType') return `${printType(t.type)}!`;
  if (t.kind === 'ListType') return `[${printType(t.type)}]`;
  return t.name.value;
}
