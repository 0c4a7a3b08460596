// The follow-up webhook event (issue 22 item 1): csat.follow_up.updated is delivered by the existing worker,
// signed (verified independently), only to endpoints that chose it, in setCsatFollowUp's one statement.
// Its own database: no other test's worker takes these jobs.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { createTicket } from './helpers/fixtures.js';
import { startTestApp, tokenFor, viewer, type TestApp } from './helpers/test.app.js';
import { startReceiver, type Receiver } from './helpers/webhook.receiver.js';

const CREATE = `mutation C($input: CreateCsatWebhookInput!) { createCsatWebhook(input: $input) { secret webhook { id events } } }`;
const RATE = `mutation($t: ID!, $r: Int!) { rateTicket(ticketId: $t, rating: $r) { id } }`;
const SET = `mutation($t: ID!, $s: CsatFollowUpState!, $o: ID, $n: String) { setCsatFollowUp(ticketId: $t, state: $s, ownerId: $o, note: $n) { id } }`;

let db: ThrowawayDatabase;
let t: TestApp;
let pool: pg.Pool;
let receiver: Receiver;

beforeAll(async () => {
  db = await createThrowawayDatabase(`csat_test_followups_${process.pid}`, { serverUrl: inject('databaseUrl') });
  t = await startTestApp({ DATABASE_URL: db.url, CSAT_WORKER: 'on', WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_WINDOW_MS: '2000' });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {});
  receiver = await startReceiver();
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
  await pool?.end();
  await db?.drop();
});

const forTicket = (ticketId: string, type: string) => (r: { json: any }) => r.json.type === type && r.json.data.ticketId === ticketId;

describe('csat.follow_up.updated', () => {
  it('each change arrives once, signed, with from and to; endpoints that did not choose it get none; one statement per change', async () => {
    const ws = randomUUID();
    const admin = await tokenFor(viewer('admin', ws));
    const agent = viewer('agent', ws);
    const agentToken = await tokenFor(agent);
    const chosen = await t.gql(CREATE, { input: { url: receiver.url, events: ['CSAT_FOLLOW_UP_UPDATED'] } }, { token: admin });
    expect(chosen.errors).toBeUndefined();
    expect(chosen.data.createCsatWebhook.webhook.events).toEqual(['CSAT_FOLLOW_UP_UPDATED']);
    const ratingsOnly = await t.gql(CREATE, { input: { url: `${receiver.url}?ratings-only`, events: ['CSAT_RATING_CREATED'] } }, { token: admin });
    receiver.secrets.push(chosen.data.createCsatWebhook.secret, ratingsOnly.data.createCsatWebhook.secret);

    const customer = viewer('customer', ws);
    const ticket = await createTicket(pool, { workspace: ws, requester: customer.sub });
    expect((await t.gql(RATE, { t: ticket.id, r: 1 }, { token: await tokenFor(customer) })).errors).toBeUndefined();

    const before = t.sqlCount();
    const res = await t.gql(SET, { t: ticket.id, s: 'CONTACTED', o: agent.sub, n: 'called' }, { token: agentToken });
    expect(res.errors).toBeUndefined();
    // The mutation's statement; then its answer's ticket (the page statement).
    expect(t.sqlCount() - before).toBe(2);
    expect((await t.gql(SET, { t: ticket.id, s: 'DONE' }, { token: agentToken })).errors).toBeUndefined();

    await receiver.waitFor((all) => all.filter(forTicket(ticket.id, 'csat.follow_up.updated')).length >= 2);
    // The rating's own event reached the ratings-only endpoint; no follow-up event did.
    await receiver.waitFor((all) => all.some(forTicket(ticket.id, 'csat.rating.created')));
    const got = receiver.received.filter(forTicket(ticket.id, 'csat.follow_up.updated'));
    expect(got).toHaveLength(2);
    for (const r of got) expect(r.verifiedWith).toEqual([receiver.secrets.indexOf(chosen.data.createCsatWebhook.secret)]);
    expect(receiver.received.filter((r) => r.json.type === 'csat.rating.created').every((r) => r.verifiedWith[0] === receiver.secrets.indexOf(ratingsOnly.data.createCsatWebhook.secret))).toBe(true);

    const { rows } = await pool.query(
      `select e.id, to_char(c.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as at, c.version,
              to_char(f.opened_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as opened_at
         from csat_follow_up_change c join csat_follow_up f using (workspace_id, ticket_id)
         join csat_event e on e.type = 'csat.follow_up.updated' and (e.payload->'data'->>'version')::int = c.version and e.payload->'data'->>'ticketId' = c.ticket_id::text
        where c.ticket_id = $1 order by c.version`,
      [ticket.id],
    );
    expect(rows.map((r) => r.version)).toEqual([2, 3]);
    const byVersion = new Map(got.map((r) => [r.json.data.version, r]));
    expect(byVersion.get(2)!.headers['webhook-id']).toBe(rows[0].id);
    expect(byVersion.get(2)!.json).toEqual({
      type: 'csat.follow_up.updated',
      timestamp: rows[0].at,
      data: {
        workspaceId: ws, ticketId: ticket.id, rating: 1, state: 'CONTACTED', previousState: 'OPEN', ownerId: agent.sub, previousOwnerId: null,
        note: 'called', changedBy: agent.sub, changedAt: rows[0].at, openedAt: rows[0].opened_at, version: 2,
      },
    });
    expect(byVersion.get(3)!.json.data).toMatchObject({ state: 'DONE', previousState: 'CONTACTED', ownerId: agent.sub, previousOwnerId: agent.sub, note: 'called', version: 3 });
  });

  it('a change refused (bad owner) stores no event', async () => {
    const ws = randomUUID();
    const admin = await tokenFor(viewer('admin', ws));
    await t.gql(CREATE, { input: { url: receiver.url, events: ['CSAT_FOLLOW_UP_UPDATED'] } }, { token: admin });
    const customer = viewer('customer', ws);
    const ticket = await createTicket(pool, { workspace: ws, requester: customer.sub });
    await t.gql(RATE, { t: ticket.id, r: 2 }, { token: await tokenFor(customer) });
    const res = await t.gql(SET, { t: ticket.id, s: 'DONE', o: randomUUID() }, { token: admin });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const { rows } = await pool.query(`select count(*)::int as n from csat_event where workspace_id = $1`, [ws]);
    expect(rows[0].n).toBe(0);
  });
});
