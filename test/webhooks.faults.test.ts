// The webhook worker when PostgreSQL ends its connections during a delivery to a slow receiver: the liveness
// connection (the advisory lock that tells every worker this worker's pool is alive) is re-established, and
// another worker sweeping for orphaned jobs meanwhile never makes the job run twice at once: one POST per event,
// one attempt stored. Its own database: no other file's worker takes these jobs.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { loadConfig } from '../src/config/config.js';
import { startDeliveryWorker, type DeliveryWorker } from '../src/webhooks/delivery/delivery.worker.js';
import { systemLookup } from '../src/webhooks/url.guard.js';
import { createTicket } from './helpers/fixtures.js';
import { startTestApp, TEST_SECRET, tokenFor, viewer, type TestApp } from './helpers/test.app.js';
import { startReceiver, type Receiver } from './helpers/webhook.receiver.js';

const CREATE = `mutation C($input: CreateCsatWebhookInput!) { createCsatWebhook(input: $input) { secret webhook { id } } }`;
const RATE = `mutation Rate($ticketId: ID!, $rating: Int!) { rateTicket(ticketId: $ticketId, rating: $rating) { id csatRating } }`;
/** Under the sender's 10 s bound: the receiver answers 200, late. */
const SLOW_MS = 9000;
/** The liveness locks' first key ('cstw', delivery.worker.ts). */
const ALIVE_LOCK_CLASS = 0x63737477;
const ENV = { CSAT_WORKER: 'on', WEBHOOKS_ALLOW_LOOPBACK: 'true', WEBHOOK_RETRY_BASE_MS: '50', LOG_LEVEL: 'info' };

let db: ThrowawayDatabase;
let t: TestApp;
let pool: pg.Pool;
let receiver: Receiver;
const workers: DeliveryWorker[] = [];

beforeAll(async () => {
  db = await createThrowawayDatabase(`csat_test_webhooks_faults_${process.pid}`, { serverUrl: inject('databaseUrl') });
  t = await startTestApp({ DATABASE_URL: db.url, ...ENV });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => {}); // this file ends every connection of its database, this pool's idle ones too
  receiver = await startReceiver();
});
afterAll(async () => {
  for (const w of workers) await w.stop();
  await t?.stop();
  await receiver?.close();
  await pool?.end();
  await db?.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Another worker on the same queue, as another replica runs it: its first sweep for orphaned jobs is at its start. */
async function anotherWorker(): Promise<DeliveryWorker> {
  const config = loadConfig({ DATABASE_URL: db.url, AUTH_JWT_SECRET: TEST_SECRET, ...ENV });
  const w = await startDeliveryWorker({ databaseUrl: db.url, config: config.webhooks, lookup: systemLookup, logger: pino({ level: 'silent' }) });
  workers.push(w);
  return w;
}

/** The liveness locks held now in this database: [backend pid, lock key] of each. */
async function livenessLocks(): Promise<{ pid: number; objid: string }[]> {
  const { rows } = await pool.query(
    `select pid, objid::text as objid from pg_locks
      where locktype = 'advisory' and granted and classid = $1::int::oid and objsubid = 2
        and database = (select oid from pg_database where datname = current_database())`,
    [ALIVE_LOCK_CLASS],
  );
  return rows;
}

/** A workspace whose endpoint is the receiver, a rated ticket, and its slow first (and only wanted) POST under way. */
async function slowDelivery() {
  const ws = randomUUID();
  const admin = await tokenFor(viewer('admin', ws));
  const created = await t.gql(CREATE, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }, { token: admin });
  expect(created.errors).toBeUndefined();
  const me = viewer('customer', ws);
  const ticket = await createTicket(pool, { workspace: ws, requester: me.sub });
  receiver.plan = (r) => (r.json.data.ticketId === ticket.id ? { status: 200, afterMs: SLOW_MS } : 200);
  const rated = await t.gql(RATE, { ticketId: ticket.id, rating: 2 }, { token: await tokenFor(me) });
  expect(rated.errors).toBeUndefined();
  const posts = () => receiver.received.filter((r) => r.json.data.ticketId === ticket.id);
  await receiver.waitFor(() => posts().length > 0);
  const postedAt = Date.now();
  const settled = async () => {
    await expect
      .poll(async () => (await pool.query(`select status from csat_delivery d join csat_event e on e.id = d.event_id where e.payload->'data'->>'ticketId' = $1`, [ticket.id])).rows[0]?.status, { timeout: 30_000 })
      .toBe('SUCCEEDED');
    const { rows } = await pool.query(
      `select a.attempt, a.status_code from csat_delivery_attempt a join csat_delivery d on d.id = a.delivery_id join csat_event e on e.id = d.event_id
        where e.payload->'data'->>'ticketId' = $1 order by a.attempt`,
      [ticket.id],
    );
    return rows;
  };
  return { posts, postedAt, settled };
}

describe('the webhook worker when PostgreSQL ends its connections mid-delivery', () => {
  it('every connection ended during a slow POST, then another worker sweeps: one POST, one attempt, and the liveness lock is held again', async () => {
    expect(await livenessLocks()).toHaveLength(1);
    const d = await slowDelivery();
    const { rows } = await pool.query(`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
    expect(rows[0].n).toBeGreaterThan(0);
    // Past the age at which a sweep may take the job for orphaned (while the POST is still under way), then a replica starts.
    await sleep(Math.max(0, d.postedAt + 6000 - Date.now()));
    await anotherWorker();
    expect(await d.settled()).toEqual([{ attempt: 1, status_code: 200 }]);
    expect(d.posts()).toHaveLength(1);
    // This worker's and the other's.
    await expect.poll(async () => (await livenessLocks()).length).toBe(2);
    expect(t.logs.filter((l) => l.msg === 'webhook worker: liveness locks held again')).not.toEqual([]);
  });

  it('a liveness lock that keeps being lost while another worker sweeps: the POST under way is not freed, still one POST and one attempt', async () => {
    const before = await livenessLocks();
    const d = await slowDelivery();
    // This app's liveness connections are ended again and again: its lock is mostly missing while the other worker sweeps.
    let ending = true;
    let ended = 0;
    const mine = before.map((l) => l.objid);
    const ender = (async () => {
      while (ending) {
        const { rows } = await pool.query(
          `select count(pg_terminate_backend(pid))::int as n from pg_locks where locktype = 'advisory' and granted and classid = $1::int::oid and objid::text = any($2::text[])`,
          [ALIVE_LOCK_CLASS, mine],
        );
        ended += rows[0].n;
        await sleep(10);
      }
    })();
    // The job's lock as the POST started, and every change to it until the job is done: a sweep that freed it
    // (whoever fetched it again) would show as another lock.
    const lockOf = async () => JSON.stringify((await pool.query(`select locked_by, locked_at from graphile_worker.jobs`)).rows[0] ?? 'done');
    const first = await lockOf();
    const seen = new Set([first]);
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.add(await lockOf());
        await sleep(20);
      }
    })();
    try {
      await sleep(Math.max(0, d.postedAt + 6000 - Date.now()));
      await anotherWorker();
      expect(await d.settled()).toEqual([{ attempt: 1, status_code: 200 }]);
      expect(d.posts()).toHaveLength(1);
    } finally {
      ending = false;
      watching = false;
      await Promise.all([ender, watcher]);
    }
    expect(first).toContain('pool-');
    expect([...seen].filter((l) => l !== first && l !== '"done"')).toEqual([]);
    expect(ended).toBeGreaterThan(3);
    await expect.poll(async () => (await livenessLocks()).filter((l) => mine.includes(l.objid))).toHaveLength(mine.length);
  });

  it('a worker pool graphile-worker gives up (as after a long outage; here told of a breaking migration) is started again, and delivers', async () => {
    // Only this app's worker from here on: the delivery below is its, after its restart.
    for (const w of workers.splice(0)) await w.stop();
    const exitCode = process.exitCode;
    try {
      await pool.query(`select pg_notify('worker:migrate', '{"breaking":true,"migrationNumber":999}')`);
      await expect.poll(() => t.logs.some((l) => l.msg === 'webhook worker: graphile-worker stopped after database faults; starting it again')).toBe(true);
    } finally {
      // graphile-worker also sets the exit code it wants the process to end with; this test's process is not the service.
      process.exitCode = exitCode;
    }
    receiver.plan = () => 200;
    const ws = randomUUID();
    const admin = await tokenFor(viewer('admin', ws));
    expect((await t.gql(CREATE, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }, { token: admin })).errors).toBeUndefined();
    const me = viewer('customer', ws);
    const ticket = await createTicket(pool, { workspace: ws, requester: me.sub });
    expect((await t.gql(RATE, { ticketId: ticket.id, rating: 5 }, { token: await tokenFor(me) })).errors).toBeUndefined();
    await receiver.waitFor((all) => all.some((r) => r.json.data.ticketId === ticket.id), 30_000);
  });
});
