// Webhooks with the real service process (`node dist/src/main.js`): a SIGKILL between the rating's commit and
// its delivery loses nothing, and two replicas sharing the queue deliver each of 200 events once.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { createTicket } from './helpers/fixtures.js';
import { viewer } from './helpers/test.app.js';
import { startReceiver, type Receiver } from './helpers/webhook.receiver.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SECRET = 'webhook-process-secret-webhook-process-secret-01';
const CREATE = `mutation C($input: CreateCsatWebhookInput!) { createCsatWebhook(input: $input) { secret webhook { id } } }`;
const RATE = `mutation Rate($ticketId: ID!, $rating: Int!) { rateTicket(ticketId: $ticketId, rating: $rating) { id csatRating } }`;

interface Service {
  child: ChildProcess;
  url: Promise<string>;
  exited: Promise<unknown>;
}

const children = new Set<ChildProcess>();
let db: ThrowawayDatabase;
let pool: pg.Pool;
let receiver: Receiver;

/** The compiled service, started by its own pid; `url` resolves from its "listening" log line. */
function startService(env: Record<string, string> = {}): Service {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(childEnv)) if (/^(DATABASE_URL|AUTH_|NODE_ENV|PORT|HOST|LOG_LEVEL|CSAT_WORKER|WEBHOOK)/.test(k)) delete childEnv[k];
  Object.assign(childEnv, { DATABASE_URL: db.url, AUTH_JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'info', WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOK_RETRY_BASE_MS: '100', SHUTDOWN_DELAY_MS: '0', ...env });
  const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = out.match(/^\{.*"msg":"csat-subgraph listening".*\}$/m);
      if (m) resolve(JSON.parse(m[0]).url);
    });
    child.once('exit', (code) => reject(new Error(`service exited (${code}) before listening\n${out}\n${err}`)));
  });
  url.catch(() => {});
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return { child, url, exited };
}

async function gql(url: string, query: string, variables: Record<string, unknown>, token: string) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: any; errors?: any[] };
}

async function workspace(url: string) {
  const ws = randomUUID();
  const admin = await signDevToken(viewer('admin', ws), SECRET);
  const created = await gql(url, CREATE, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }, admin);
  expect(created.errors).toBeUndefined();
  receiver.secrets.push(created.data.createCsatWebhook.secret);
  const me = viewer('customer', ws);
  return { ws, me, customer: await signDevToken(me, SECRET), webhookId: created.data.createCsatWebhook.webhook.id as string };
}

async function deliveryStatuses(webhookId: string): Promise<string[]> {
  const { rows } = await pool.query('select status from csat_delivery where webhook_id = $1', [webhookId]);
  return rows.map((r) => r.status);
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out: ${what}`);
}

beforeAll(async () => {
  db = await createThrowawayDatabase(`csat_test_webhooks_process_${process.pid}`, { serverUrl: inject('databaseUrl') });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {}); // tests here end connections of this database, this pool's idle ones too
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  }
  await receiver?.close();
  await pool?.end();
  await db?.drop();
});

describe('webhooks with the real process', () => {
  it('SIGKILL after the rating\'s 200, before delivery: after a restart the event is delivered, within a minute', async () => {
    const first = startService();
    const w = await workspace(await first.url);
    const ticket = await createTicket(pool, { workspace: w.ws, requester: w.me.sub });
    // The first attempt is claimed and never answered: the job stays locked by the worker we kill.
    receiver.plan = (r, nth) => (r.json.data.ticketId === ticket.id && nth === 1 ? 'hang' : 200);
    const rated = await gql(await first.url, RATE, { ticketId: ticket.id, rating: 2 }, w.customer);
    expect(rated.data.rateTicket.csatRating).toBe(2);
    await receiver.waitFor((all) => all.some((r) => r.json.data.ticketId === ticket.id));
    first.child.kill('SIGKILL');
    await first.exited;
    const { rows } = await pool.query(`select count(*)::int as n from graphile_worker.jobs where locked_by is not null`);
    expect(rows[0].n).toBe(1);
    expect(await deliveryStatuses(w.webhookId)).toEqual(['PENDING']);

    const restarted = startService();
    await restarted.url;
    const restartedAt = Date.now();
    await until(async () => (await deliveryStatuses(w.webhookId))[0] === 'SUCCEEDED', 60_000, 'delivered after the restart');
    expect(Date.now() - restartedAt).toBeLessThan(60_000);
    const got = receiver.received.filter((r) => r.json.data.ticketId === ticket.id);
    expect(got).toHaveLength(2);
    expect(got[1]!.id).toBe(got[0]!.id); // the same webhook-id: the receiver can tell it is a repeat
    expect(got[1]!.verifiedWith).toHaveLength(1);
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  });

  it('two replicas, 200 ratings through both: every event arrives, none twice', async () => {
    receiver.plan = () => 200;
    const replicas = [startService(), startService()];
    const urls = await Promise.all(replicas.map((r) => r.url));
    const w = await workspace(urls[0]!);
    const tickets = await Promise.all(Array.from({ length: 200 }, () => createTicket(pool, { workspace: w.ws, requester: w.me.sub })));
    const mine = new Set(tickets.map((t) => t.id));
    for (let i = 0; i < tickets.length; i += 20) {
      await Promise.all(
        tickets.slice(i, i + 20).map(async (t, j) => {
          const res = await gql(urls[(i + j) % 2]!, RATE, { ticketId: t.id, rating: 1 + ((i + j) % 5) }, w.customer);
          expect(res.errors).toBeUndefined();
        }),
      );
    }
    await until(async () => (await deliveryStatuses(w.webhookId)).filter((s) => s === 'SUCCEEDED').length === 200, 60_000, '200 deliveries');
    const got = receiver.received.filter((r) => mine.has(r.json.data.ticketId));
    expect(got).toHaveLength(200);
    expect(new Set(got.map((r) => r.id)).size).toBe(200);
    expect(got.every((r) => r.verifiedWith.length === 1)).toBe(true);
    const { rows } = await pool.query(`select count(*)::int as n from csat_delivery_attempt a join csat_delivery d on d.id = a.delivery_id where d.webhook_id = $1`, [w.webhookId]);
    expect(rows[0].n).toBe(200);
    for (const r of replicas) r.child.kill('SIGTERM');
    await Promise.all(replicas.map((r) => r.exited));
  });
});
