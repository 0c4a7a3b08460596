// Issue 18, item 4: who may call what is one rule per field (type-graphql's @Authorized, src/auth/auth.checker.ts).
// Every guarded root field, called without a token and with each role it refuses: the code and the message each
// client got before the rules moved there, and no SQL. Public fields (csatTicket, csatBadge, _entities) need none.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Role } from '../src/auth/viewer.js';
import { tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const ctx = useTestApp({ LOG_LEVEL: 'warn' });
const ID = randomUUID();

/** Each guarded field: an operation, who is refused, and what each refusal says. */
const FIELDS: { name: string; query: string; refused: Role[]; unauthenticated: string; forbidden?: string }[] = [
  ...['csatRatings { totalCount }', 'csatSummary { count }', 'csatAgentSummaries { totalCount }', 'csatTrend(interval: DAY, filter: { ratedFrom: "2026-01-01T00:00:00Z" }) { count }'].map((field) => ({
    name: field.split(/[ (]/)[0]!,
    query: `{ ${field} }`,
    refused: ['customer'] as Role[],
    unauthenticated: 'insights need an agent or admin token',
    forbidden: 'insights are for agents and admins',
  })),
  { name: 'csatSettings', query: '{ csatSettings { enabled } }', refused: ['customer'], unauthenticated: 'csatSettings needs a staff token', forbidden: 'only agents and admins of the workspace read its CSAT settings' },
  {
    name: 'updateCsatSettings',
    query: 'mutation { updateCsatSettings(input: { enabled: true }) { enabled } }',
    refused: ['customer', 'agent'],
    unauthenticated: 'updateCsatSettings needs an admin token',
    forbidden: 'only admins change CSAT settings',
  },
  ...[
    '{ csatWebhooks { id } }',
    `{ csatWebhookDeliveries(webhookId: "${ID}") { edges { cursor } } }`,
    'mutation { createCsatWebhook(input: { url: "https://hooks.example.test/", events: [CSAT_RATING_CREATED] }) { secret } }',
    `mutation { updateCsatWebhook(input: { id: "${ID}" }) { id } }`,
    `mutation { rotateCsatWebhookSecret(id: "${ID}") { secret } }`,
    `mutation { deleteCsatWebhook(id: "${ID}") }`,
    `mutation { redeliverCsatEvent(deliveryId: "${ID}") { id } }`,
  ].map((query) => ({
    name: query.replace(/^(mutation )?\{ /, '').split(/[ (]/)[0]!,
    query,
    refused: ['customer', 'agent'] as Role[],
    unauthenticated: 'webhooks need an admin token',
    forbidden: 'only admins manage webhooks',
  })),
  // Signed-in callers other than the requester get NOT_FOUND from the service (they learn nothing about the ticket).
  { name: 'rateTicket', query: `mutation { rateTicket(ticketId: "${ID}", rating: 5) { id } }`, refused: [], unauthenticated: 'rateTicket needs a customer token' },
];

describe('@Authorized', () => {
  it.each(FIELDS)('$name: UNAUTHENTICATED without a token, FORBIDDEN for the roles it refuses, each with its message, and no SQL', async (field) => {
    const before = ctx.app.sqlCount();
    const anonymous = await ctx.app.gql(field.query);
    expect(anonymous.errors?.[0]).toMatchObject({ message: field.unauthenticated, extensions: { code: 'UNAUTHENTICATED' } });
    for (const role of field.refused) {
      const res = await ctx.app.gql(field.query, {}, { token: await tokenFor(viewer(role, randomUUID())) });
      expect(res.errors?.[0]).toMatchObject({ message: field.forbidden, extensions: { code: 'FORBIDDEN' } });
    }
    expect(ctx.app.sqlCount() - before).toBe(0);
  });

  it('rateTicket: an agent or admin is told NOT_FOUND, as for a ticket that does not exist', async () => {
    for (const role of ['agent', 'admin'] as Role[]) {
      const res = await ctx.app.gql(`mutation { rateTicket(ticketId: "${ID}", rating: 5) { id } }`, {}, { token: await tokenFor(viewer(role, randomUUID())) });
      expect(res.errors?.[0]).toMatchObject({ message: 'ticket not found', extensions: { code: 'NOT_FOUND' } });
    }
  });
});
