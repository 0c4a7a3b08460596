// Rating webhooks in-process: signed delivery to a real receiver, what never enqueues, retries and FAILED,
// redelivery, rotation, the permissions matrix and the SSRF guard. Its own database: no other test's worker
// takes these jobs.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { retryDelayMs } from '../src/webhooks/delivery/delivery.task.js';
import { systemLookup, type HostLookup } from '../src/webhooks/url.guard.js';
import { createTicket } from './helpers/fixtures.js';
import { startTestApp, tokenFor, viewer, type TestApp } from './helpers/test.app.js';
import { startReceiver, type Receiver } from './helpers/webhook.receiver.js';

const CREATE = `mutation C($input: CreateCsatWebhookInput!) { createCsatWebhook(input: $input) { secret webhook { id url description events onlyUnhappy lastDeliveryStatus } } }`;
const UPDATE = `mutation U($input: UpdateCsatWebhookInput!) { updateCsatWebhook(input: $input) { id url onlyUnhappy } }`;
const ROTATE = `mutation R($id: ID!) { rotateCsatWebhookSecret(id: $id) { secret webhook { id previousSecretExpiresAt } } }`;
const DELETE = `mutation D($id: ID!) { deleteCsatWebhook(id: $id) }`;
const LIST = `{ csatWebhooks { id url lastDeliveryStatus lastDeliveryAt } }`;
const DELIVERIES = `query L($id: ID!, $first: Int, $after: String) { csatWebhookDeliveries(webhookId: $id, first: $first, after: $after) {
  edges { cursor node { id eventId status nextAttemptAt attempts { at statusCode durationMs error } } } pageInfo { hasNextPage endCursor } } }`;
const REDELIVER = `mutation X($id: ID!) { redeliverCsatEvent(deliveryId: $id) { id status } }`;
const RATE = `mutation Rate($ticketId: ID!, $rating: Int!, $comment: String) { rateTicket(ticketId: $ticketId, rating: $rating, comment: $comment) { id csatRating } }`;
const SETTINGS = `mutation S($input: CsatSettingsInput!) { updateCsatSettings(input: $input) { enabled } }`;

let db: ThrowawayDatabase;
let t: TestApp;
let pool: pg.Pool;
let receiver: Receiver;
/** Names the tests make resolve where they need them (a custom lookup hook); everything else through DNS. */
const names = new Map<string, string>();
const lookup: HostLookup = async (host) => (names.has(host) ? [{ address: names.get(host)!, family: names.get(host)!.includes(':') ? 6 : 4 }] : systemLookup(host));

beforeAll(async () => {
  db = await createThrowawayDatabase(`csat_test_webhooks_${process.pid}`, { serverUrl: inject('databaseUrl') });
  t = await startTestApp({ DATABASE_URL: db.url, CSAT_WORKER: 'on', WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOK_RETRY_BASE_MS: '50', WEBHOOK_RETRY_WINDOW_MS: '2000', LOG_LEVEL: 'info' }, { lookup });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {}); // tests here end connections of this database, this pool's idle ones too
  receiver = await startReceiver();
});
afterAll(async () => {
  await t?.stop();
  await receiver?.close();
  await pool?.end();
  await db?.drop();
});

/** A workspace with an admin, one endpoint at the receiver, and a customer with resolved tickets. */
async function workspaceWithWebhook(input: Record<string, unknown> = {}) {
  const ws = randomUUID();
  const admin = await tokenFor(viewer('admin', ws));
  const created = await t.gql(CREATE, { input: { url: receiver.url, description: 'test receiver', events: ['CSAT_RATING_CREATED'], ...input } }, { token: admin });
  expect(created.errors).toBeUndefined();
  const { secret, webhook } = created.data.createCsatWebhook;
  receiver.secrets.push(secret);
  const me = viewer('customer', ws);
  const customer = await tokenFor(me);
  const ticket = () => createTicket(pool, { workspace: ws, requester: me.sub });
  return { ws, admin, secret, webhook, me, customer, ticket };
}

const forTicket = (ticketId: string) => (r: { json: any }) => r.json.data.ticketId === ticketId;

async function deliveries(id: string, token: string) {
  const res = await t.gql(DELIVERIES, { id, first: 50 }, { token });
  expect(res.errors).toBeUndefined();
  return res.data.csatWebhookDeliveries.edges.map((e: any) => e.node);
}

async function waitForStatus(webhookId: string, token: string, status: string, count = 1): Promise<any[]> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const list = await deliveries(webhookId, token);
    if (list.filter((d: any) => d.status === status).length >= count) return list;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no ${status} delivery for ${webhookId}`);
}

describe('delivery', () => {
  it('a rating arrives once, signed (verified independently), with the payload of the issue; rateTicket stays one statement', async () => {
    const w = await workspaceWithWebhook();
    await t.gql(SETTINGS, { input: { unhappyMaxRating: 3, vocalMinCommentLength: 5 } }, { token: w.admin });
    const ticket = await w.ticket();
    const before = t.sqlCount();
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 3, comment: 'slow 😀' }, { token: w.customer });
    expect(t.sqlCount() - before).toBe(1);
    expect(res.errors).toBeUndefined();
    await receiver.waitFor((all) => all.some(forTicket(ticket.id)));
    const got = receiver.received.filter(forTicket(ticket.id));
    expect(got).toHaveLength(1);
    const [r] = got;
    expect(r!.verifiedWith).toEqual([receiver.secrets.indexOf(w.secret)]);
    const { rows } = await pool.query(`select id, payload from csat_event where payload->'data'->>'ticketId' = $1`, [ticket.id]);
    expect(r!.headers['webhook-id']).toBe(rows[0].id);
    const stored = (await pool.query('select rated_at from csat_rating where ticket_id = $1', [ticket.id])).rows[0];
    expect(r!.json).toEqual({
      type: 'csat.rating.created',
      timestamp: stored.rated_at.toISOString(),
      data: {
        workspaceId: w.ws, ticketId: ticket.id, requesterId: w.me.sub, assigneeId: ticket.assignee,
        rating: 3, comment: 'slow 😀', ratedAt: stored.rated_at.toISOString(),
        unhappy: true, // 3 <= unhappyMaxRating 3
        vocal: true, // 6 code points >= 5
        channel: 'PORTAL', // rateTicket (issue 20; a rating link's page sends EMAIL: test/rating-links.test.ts)
      },
    });
    const [d] = await waitForStatus(w.webhook.id, w.admin, 'SUCCEEDED');
    expect(d).toMatchObject({ eventId: rows[0].id, status: 'SUCCEEDED', nextAttemptAt: null, attempts: [{ statusCode: 200, error: null }] });
    const list = await t.gql(LIST, {}, { token: w.admin });
    expect(list.data.csatWebhooks).toEqual([expect.objectContaining({ id: w.webhook.id, lastDeliveryStatus: 'SUCCEEDED' })]);
  });

  it('two endpoints: one event, one delivery and one queued job each (one add_jobs call), both arrive with the same webhook-id', async () => {
    const w = await workspaceWithWebhook();
    const second = await t.gql(CREATE, { input: { url: `${receiver.url}?second`, events: ['CSAT_RATING_CREATED'] } }, { token: w.admin });
    expect(second.errors).toBeUndefined();
    receiver.secrets.push(second.data.createCsatWebhook.secret);
    const ticket = await w.ticket();
    const before = t.sqlCount();
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 4 }, { token: w.customer });
    expect(res.errors).toBeUndefined();
    expect(t.sqlCount() - before).toBe(1);
    const { rows: events } = await pool.query(`select id from csat_event where payload->'data'->>'ticketId' = $1`, [ticket.id]);
    expect(events).toHaveLength(1);
    const { rows: queued } = await pool.query(
      `select d.webhook_id from csat_delivery d where d.event_id = $1 order by d.webhook_id`,
      [events[0].id],
    );
    expect(queued.map((d) => d.webhook_id).sort()).toEqual([w.webhook.id, second.data.createCsatWebhook.webhook.id].sort());
    await receiver.waitFor((all) => all.filter(forTicket(ticket.id)).length >= 2);
    const got = receiver.received.filter(forTicket(ticket.id));
    expect(got).toHaveLength(2);
    expect(new Set(got.map((r) => r.headers['webhook-id']))).toEqual(new Set([events[0].id]));
    // Each endpoint's copy is signed with its own secret.
    const secretIndex = [receiver.secrets.indexOf(w.secret), receiver.secrets.indexOf(second.data.createCsatWebhook.secret)];
    expect(got.map((r) => r.verifiedWith).sort()).toEqual(secretIndex.map((i) => [i]).sort());
  });

  it('the no-op second call enqueues nothing: no event, no job, still one statement', async () => {
    const w = await workspaceWithWebhook();
    const ticket = await w.ticket();
    await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token: w.customer });
    const jobs = async () => Number((await pool.query('select count(*) from graphile_worker._private_jobs')).rows[0].count);
    await waitForStatus(w.webhook.id, w.admin, 'SUCCEEDED');
    const jobsBefore = await jobs();
    const before = t.sqlCount();
    const again = await t.gql(RATE, { ticketId: ticket.id, rating: 1 }, { token: w.customer });
    expect(t.sqlCount() - before).toBe(1);
    expect(again.data.rateTicket.csatRating).toBe(5);
    expect(await jobs()).toBe(jobsBefore);
    const { rows } = await pool.query(`select count(*)::int as n from csat_event where payload->'data'->>'ticketId' = $1`, [ticket.id]);
    expect(rows[0].n).toBe(1);
    // A later rating's event arrives; the no-op's never does.
    const sentinel = await w.ticket();
    await t.gql(RATE, { ticketId: sentinel.id, rating: 4 }, { token: w.customer });
    await receiver.waitFor((all) => all.some(forTicket(sentinel.id)));
    expect(receiver.received.filter(forTicket(ticket.id))).toHaveLength(1);
  });

  it('a disabled workspace gets CSAT_DISABLED and sends nothing', async () => {
    const w = await workspaceWithWebhook();
    await t.gql(SETTINGS, { input: { enabled: false } }, { token: w.admin });
    const ticket = await w.ticket();
    const res = await t.gql(RATE, { ticketId: ticket.id, rating: 2 }, { token: w.customer });
    expect(res.errors?.[0]?.extensions?.code).toBe('CSAT_DISABLED');
    const { rows } = await pool.query(`select count(*)::int as n from csat_event where workspace_id = $1`, [w.ws]);
    expect(rows[0].n).toBe(0);
    expect(await deliveries(w.webhook.id, w.admin)).toEqual([]);
  });

  it('onlyUnhappy endpoints get only ratings at or below unhappyMaxRating; a workspace with no endpoint writes no event', async () => {
    const w = await workspaceWithWebhook({ onlyUnhappy: true });
    const happy = await w.ticket();
    const unhappy = await w.ticket();
    await t.gql(RATE, { ticketId: happy.id, rating: 4 }, { token: w.customer });
    await t.gql(RATE, { ticketId: unhappy.id, rating: 2 }, { token: w.customer });
    await receiver.waitFor((all) => all.some(forTicket(unhappy.id)));
    const { rows } = await pool.query(`select payload->'data'->>'ticketId' as ticket from csat_event where workspace_id = $1`, [w.ws]);
    expect(rows.map((r) => r.ticket)).toEqual([unhappy.id]);

    const ws = randomUUID();
    const me = viewer('customer', ws);
    const lone = await createTicket(pool, { workspace: ws, requester: me.sub });
    await t.gql(RATE, { ticketId: lone.id, rating: 1 }, { token: await tokenFor(me) });
    expect((await pool.query(`select count(*)::int as n from csat_event where workspace_id = $1`, [ws])).rows[0].n).toBe(0);
  });

  it('receiver down: 500, 500, then 200 is one success, the three attempts listed, the same webhook-id each time', async () => {
    const w = await workspaceWithWebhook();
    const ticket = await w.ticket();
    const plan = receiver.plan;
    receiver.plan = (r, nth) => (r.json.data.ticketId === ticket.id ? [500, 500, 200][nth - 1] ?? 200 : plan(r, nth));
    try {
      await t.gql(RATE, { ticketId: ticket.id, rating: 1 }, { token: w.customer });
      const [d] = await waitForStatus(w.webhook.id, w.admin, 'SUCCEEDED');
      expect(d.attempts.map((a: any) => a.statusCode)).toEqual([500, 500, 200]);
      expect(d.attempts[0].error).toBe('HTTP 500');
      const got = receiver.received.filter(forTicket(ticket.id));
      expect(got.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(new Set(got.map((r) => r.id)).size).toBe(1);
      expect(got.every((r) => r.verifiedWith.length === 1)).toBe(true);
    } finally {
      receiver.plan = plan;
    }
  });

  it('a receiver that keeps failing: retries with backoff until the window ends, then FAILED; redelivery sends it again', async () => {
    const w = await workspaceWithWebhook();
    const ticket = await w.ticket();
    const plan = receiver.plan;
    let down = true;
    receiver.plan = (r, nth) => (r.json.data.ticketId === ticket.id ? (down ? 503 : 200) : plan(r, nth));
    try {
      await t.gql(RATE, { ticketId: ticket.id, rating: 2 }, { token: w.customer });
      const [d] = await waitForStatus(w.webhook.id, w.admin, 'FAILED');
      expect(d.attempts.length).toBeGreaterThanOrEqual(3);
      expect(d.nextAttemptAt).toBeNull();
      expect((await t.gql(LIST, {}, { token: w.admin })).data.csatWebhooks[0].lastDeliveryStatus).toBe('FAILED');
      down = false;
      const again = await t.gql(REDELIVER, { id: d.id }, { token: w.admin });
      expect(again.data.redeliverCsatEvent).toEqual({ id: d.id, status: 'PENDING' });
      const [done] = await waitForStatus(w.webhook.id, w.admin, 'SUCCEEDED');
      expect(done.attempts.at(-1).statusCode).toBe(200);
    } finally {
      receiver.plan = plan;
    }
  });

  it('rotation: the new secret is shown once, and both old and new signatures come with each delivery', async () => {
    const w = await workspaceWithWebhook();
    const rotated = await t.gql(ROTATE, { id: w.webhook.id }, { token: w.admin });
    const fresh = rotated.data.rotateCsatWebhookSecret.secret;
    expect(fresh).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(fresh).not.toBe(w.secret);
    expect(Date.parse(rotated.data.rotateCsatWebhookSecret.webhook.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    receiver.secrets.push(fresh);
    const ticket = await w.ticket();
    await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token: w.customer });
    await receiver.waitFor((all) => all.some(forTicket(ticket.id)));
    const [r] = receiver.received.filter(forTicket(ticket.id));
    expect(r!.verifiedWith.sort()).toEqual([receiver.secrets.indexOf(w.secret), receiver.secrets.indexOf(fresh)].sort());
    expect(String(r!.headers['webhook-signature']).split(' ')).toHaveLength(2);
  });

  it('the deliveries list pages newest first with a cursor', async () => {
    const w = await workspaceWithWebhook();
    for (let i = 0; i < 3; i++) await t.gql(RATE, { ticketId: (await w.ticket()).id, rating: 5 }, { token: w.customer });
    const first = await t.gql(DELIVERIES, { id: w.webhook.id, first: 2 }, { token: w.admin });
    expect(first.data.csatWebhookDeliveries.edges).toHaveLength(2);
    expect(first.data.csatWebhookDeliveries.pageInfo.hasNextPage).toBe(true);
    const rest = await t.gql(DELIVERIES, { id: w.webhook.id, first: 2, after: first.data.csatWebhookDeliveries.pageInfo.endCursor }, { token: w.admin });
    expect(rest.data.csatWebhookDeliveries.edges).toHaveLength(1);
    expect(rest.data.csatWebhookDeliveries.pageInfo.hasNextPage).toBe(false);
    const bad = await t.gql(DELIVERIES, { id: w.webhook.id, first: 2, after: 'nonsense' }, { token: w.admin });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    // Issue 18: a cursor is its webhook's. Another endpoint of the same workspace refuses it, rather than paging
    // its own deliveries from the other list's position.
    const other = await t.gql(CREATE, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }, { token: w.admin });
    const foreign = await t.gql(DELIVERIES, { id: other.data.createCsatWebhook.webhook.id, first: 2, after: first.data.csatWebhookDeliveries.pageInfo.endCursor }, { token: w.admin });
    expect(foreign.errors?.[0]).toMatchObject({ message: 'after is not a cursor of this list', extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    expect(foreign.data).toBeNull();
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base, with equal jitter (half fixed, half random), capped at 4 h', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 5000, () => 0))).toEqual([2500, 5000, 10_000, 20_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 5000, () => 1))).toEqual([5000, 10_000, 20_000, 40_000]);
    expect(retryDelayMs(40, 5000, () => 1)).toBe(4 * 3_600_000);
    // With the defaults, retries span about a day: the sum of the longest waits up to the window.
    let total = 0;
    let n = 0;
    while (total < 24 * 3_600_000) total += retryDelayMs(++n, 5000, () => 0.5);
    expect(n).toBeGreaterThan(15);
    expect(n).toBeLessThan(30);
  });
});

describe('permissions', () => {
  it('agents and customers are FORBIDDEN, no token is UNAUTHENTICATED, another workspace\'s admin gets NOT_FOUND; the secret is never listed', async () => {
    const w = await workspaceWithWebhook();
    const ticket = await w.ticket();
    await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token: w.customer });
    const [delivery] = await waitForStatus(w.webhook.id, w.admin, 'SUCCEEDED');
    const id = w.webhook.id;
    const ops: [string, Record<string, unknown>][] = [
      [LIST, {}],
      [DELIVERIES, { id }],
      [CREATE, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }],
      [UPDATE, { input: { id, onlyUnhappy: true } }],
      [ROTATE, { id }],
      [REDELIVER, { id: delivery.id }],
      [DELETE, { id }],
    ];
    const agent = await tokenFor(viewer('agent', w.ws));
    const other = await tokenFor(viewer('admin', randomUUID()));
    for (const [query, variables] of ops) {
      expect((await t.gql(query, variables, { token: agent })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await t.gql(query, variables, { token: w.customer })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect((await t.gql(query, variables)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      if (query !== LIST && query !== CREATE) expect((await t.gql(query, variables, { token: other })).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    }
    expect((await t.gql(LIST, {}, { token: other })).data.csatWebhooks).toEqual([]);
    // Nothing changed: ours is still there, unchanged, and still delivering to us.
    const mine = await t.gql(LIST, {}, { token: w.admin });
    expect(mine.data.csatWebhooks.map((x: any) => x.id)).toEqual([id]);
    expect(JSON.stringify(mine)).not.toContain(w.secret);
    const { rows } = await pool.query('select only_unhappy, secret from csat_webhook where id = $1', [id]);
    expect(rows[0]).toEqual({ only_unhappy: false, secret: w.secret });
    // The admin's own: update, delete (deliveries go with it).
    expect((await t.gql(UPDATE, { input: { id, onlyUnhappy: true } }, { token: w.admin })).data.updateCsatWebhook.onlyUnhappy).toBe(true);
    expect((await t.gql(DELETE, { id }, { token: w.admin })).data.deleteCsatWebhook).toBe(id);
    expect((await pool.query('select count(*)::int as n from csat_delivery where webhook_id = $1', [id])).rows[0].n).toBe(0);
  });
});

describe('SSRF guard', () => {
  let strict: TestApp;
  beforeAll(async () => {
    names.set('internal.example.test', '10.1.2.3');
    names.set('public.example.test', '93.184.215.14');
    // As production has it: no WEBHOOKS_ALLOW_LOOPBACK. No worker: the main app's delivers.
    strict = await startTestApp({ DATABASE_URL: db.url, CSAT_WORKER: 'off', LOG_LEVEL: 'warn' }, { lookup });
  });
  afterAll(() => strict?.stop());

  it.each([
    'http://127.0.0.1/hooks',
    'https://127.0.0.1/hooks',
    'https://localhost/hooks',
    'http://169.254.169.254/latest/meta-data/',
    'https://169.254.169.254/',
    'https://internal.example.test/hooks',
    'https://[::ffff:10.0.0.1]/hooks',
    'https://[fd00:ec2::254]/',
    'ftp://public.example.test/hooks',
    'http://public.example.test/hooks',
    'https://user:pw@public.example.test/hooks',
    'not a url',
  ])('refuses %s with BAD_USER_INPUT on url, at create and at update', async (url) => {
    const token = await tokenFor(viewer('admin', randomUUID()));
    const res = await strict.gql(CREATE, { input: { url, events: ['CSAT_RATING_CREATED'] } }, { token });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
    const ok = await strict.gql(CREATE, { input: { url: 'https://public.example.test/hooks', events: ['CSAT_RATING_CREATED'] } }, { token });
    expect(ok.errors).toBeUndefined();
    const upd = await strict.gql(UPDATE, { input: { id: ok.data.createCsatWebhook.webhook.id, url } }, { token });
    expect(upd.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'url' });
  });

  it('checks again at delivery: a name that now resolves to a private address is not called', async () => {
    names.set('rebind.example.test', '127.0.0.1');
    const w = await workspaceWithWebhook({ url: receiver.url.replace('127.0.0.1', 'rebind.example.test') });
    names.set('rebind.example.test', '10.9.9.9');
    const ticket = await w.ticket();
    await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token: w.customer });
    const [d] = await waitForStatus(w.webhook.id, w.admin, 'FAILED');
    expect(d.attempts[0]).toMatchObject({ statusCode: null, error: expect.stringMatching(/refused/) });
    expect(receiver.received.filter(forTicket(ticket.id))).toEqual([]);
  });
});

// Last in the file: it ends the idle connections of this file's database (the liveness lock's aside).
describe('connections the server ends while idle', () => {
  it('are one warning each, without the pg client on it, and the worker still delivers the next rating', async () => {
    const { rows } = await pool.query(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and state = 'idle' and query not ilike '%pg_advisory_lock%'`,
    );
    expect(rows[0].n).toBeGreaterThan(0);
    const lost = () => t.logs.filter((l) => l.msg === 'webhook worker: idle connection lost');
    await expect.poll(() => lost().length).toBeGreaterThan(0);
    for (const line of lost()) {
      // pg reports the server's message (57P01) when it reads it before the socket closes, else only the closed socket.
      expect([
        { message: 'terminating connection due to administrator command', code: '57P01' },
        { message: 'Connection terminated unexpectedly' },
      ]).toContainEqual({ message: line.err.message, ...(line.err.code === undefined ? {} : { code: line.err.code }) });
      expect(line.err).not.toHaveProperty('client');
    }
    const w = await workspaceWithWebhook();
    const ticket = await w.ticket();
    expect((await t.gql(RATE, { ticketId: ticket.id, rating: 4 }, { token: w.customer })).errors).toBeUndefined();
    await receiver.waitFor((all) => all.some(forTicket(ticket.id)));
  });
});
