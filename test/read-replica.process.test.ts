// Issue 19, item 3: a read replica for the heavy reads. A real streaming standby made here (initdb, pg_basebackup -R,
// both started by the test), the built service (`node dist/src/main.js`) with DATABASE_REPLICA_URLS. Each server logs
// every statement: the logs show where insights, the badge and staff pages ran (the standby) and where writes and a
// customer's reads ran (the primary). Replay paused past REPLICA_MAX_LAG_MS: staff reads move to the primary. The
// standby stopped mid-load: not one request fails.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDevToken } from '../src/auth/token.signer.js';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { PROCESS_SECRET, startServiceProcess, type ServiceProcess } from './helpers/service.process.js';
import { postgresBinDir, startStreamingPair, type StreamingPair } from './helpers/streaming.replica.js';

const BIN = postgresBinDir();
const MAX_LAG_MS = 400;
const PAGE = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment } } }';
const SUMMARY = '{ csatSummary { count average } }';
const BADGE = 'query($w: ID!) { csatBadge(workspaceId: $w) { count } }';
const RATE = 'mutation($id: ID!, $rating: Int!) { rateTicket(ticketId: $id, rating: $rating) { id csatRating } }';

/** Statements of each kind in a server's log (one entry per statement, continuation lines included): the prepared ones by name, insights' by what they read. */
const count = (log: string, what: RegExp) => log.split(/\n(?=\d{4}-\d\d-\d\d )/).filter((entry) => what.test(entry)).length;
const STAFF_PAGE = /execute csat_staff_batch:/;
const CUSTOMER_PAGE = /execute csat_ticket_batch(_offer)?:/;
const RATE_STATEMENT = /execute csat_rate:/;
const BADGE_STATEMENT = /execute csat_badge:/;
const INSIGHTS = /execute <unnamed>:[\s\S]*csat_rating_monthly/;

describe('read replica (DATABASE_REPLICA_URLS): a real streaming standby', () => {
  let pair: StreamingPair;
  let db: ThrowawayDatabase;
  let svc: ServiceProcess;
  let url: string;
  let arrange: pg.Pool;
  const workspace = randomUUID();
  const customer = randomUUID();
  let tickets: TicketFixture[];
  let staffToken: string;
  let customerToken: string;
  const dispatcher = new Agent({ connections: 20, keepAliveTimeout: 30_000 });

  async function gql(query: string, variables: Record<string, unknown>, token?: string) {
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
  }
  const staffPage = () => gql(PAGE, { r: tickets.map((t) => ({ __typename: 'Ticket', id: t.id })) }, staffToken);
  const customerPage = () => gql(PAGE, { r: tickets.map((t) => ({ __typename: 'Ticket', id: t.id })) }, customerToken);

  /** The standby has replayed everything the primary committed so far, and the service reads from it again. */
  async function caughtUp() {
    const standby = new pg.Client({ connectionString: pair.standby.url(db.url.split('/').pop()!) });
    await standby.connect();
    try {
      const { rows } = await arrange.query('select pg_current_wal_lsn()::text as lsn');
      for (let waited = 0; !(await standby.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as ok', [rows[0].lsn])).rows[0].ok; waited += 50) {
        if (waited > 10_000) throw new Error('the standby did not catch up in 10 s');
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await standby.end();
    }
    // ...and the service's lag poll (every MAX_LAG_MS / 4) has seen it: a poll answered before the catch-up may have
    // found it behind (a loaded machine replays slowly), and until the next one its reads go to the primary.
    await new Promise((r) => setTimeout(r, MAX_LAG_MS / 2));
    await untilLastWord(IN_USE);
  }

  const IN_USE = 'database replica: in use for reads';
  const SKIPPED = 'database replica: skipped, its reads go to the primary';
  /** What the service said of the standby, in order: it logs each change of its state (with the reason for a skip). */
  const replicaWords = () => svc.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('database replica:')) as { msg: string; reason?: string }[];
  /** Until the service's last word on the standby, so its state now, is `word`. */
  async function untilLastWord(word: string) {
    for (let waited = 0; replicaWords().at(-1)?.msg !== word; waited += 50) {
      if (waited > 10_000) throw new Error(`the service's last word on the standby is not "${word}" after 10 s: ${replicaWords().at(-1)?.msg}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    if (!BIN) throw new Error('PostgreSQL server binaries (pg_basebackup) not found under /usr/lib/postgresql: apt-get install postgresql');
    pair = await startStreamingPair(BIN);
    db = await createThrowawayDatabase('csat_replica', { serverUrl: pair.primary.url('postgres') });
    arrange = new pg.Pool({ connectionString: db.url, max: 2 });
    arrange.on('error', () => {});
    tickets = [];
    for (let i = 0; i < 20; i++) tickets.push(await createTicket(arrange, { workspace, requester: customer }));
    staffToken = await signDevToken({ role: 'admin', workspace, sub: randomUUID() }, PROCESS_SECRET);
    customerToken = await signDevToken({ role: 'customer', workspace, sub: customer }, PROCESS_SECRET);
    const database = new URL(db.url).pathname.slice(1);
    svc = startServiceProcess(db.url, { DATABASE_REPLICA_URLS: pair.standby.url(database), REPLICA_MAX_LAG_MS: String(MAX_LAG_MS), SHUTDOWN_DELAY_MS: '0' });
    url = await svc.url;
    await caughtUp();
  }, 120_000);

  afterAll(async () => {
    svc?.child.kill('SIGTERM');
    await svc?.exited;
    await dispatcher.close();
    await arrange?.end();
    await db?.drop().catch(() => {});
    await pair?.stop();
  }, 60_000);

  it('insights, the badge and staff pages run on the standby; ratings and a customer’s pages on the primary, who reads their own rating at once', async () => {
    const p0 = pair.primary.logSize();
    const s0 = pair.standby.logSize();
    for (let i = 0; i < 5; i++) {
      expect((await staffPage()).body.errors).toBeUndefined();
      expect((await gql(SUMMARY, {}, staffToken)).body.errors).toBeUndefined();
      expect((await gql(BADGE, { w: randomUUID() })).body.errors).toBeUndefined();
    }
    // Read-your-writes: each rating, then at once the rater's page shows it.
    for (const t of tickets.slice(0, 5)) {
      const rated = await gql(RATE, { id: t.id, rating: 4 }, customerToken);
      expect(rated.body.data.rateTicket.csatRating).toBe(4);
      const page = await customerPage();
      expect(page.body.data._entities.find((e: { id: string }) => e.id === t.id).csatRating).toBe(4);
    }
    const primary = pair.primary.log(p0);
    const standby = pair.standby.log(s0);
    const where = {
      standby: { staff: count(standby, STAFF_PAGE), badge: count(standby, BADGE_STATEMENT), insights: count(standby, INSIGHTS), customer: count(standby, CUSTOMER_PAGE), rate: count(standby, RATE_STATEMENT) },
      primary: { staff: count(primary, STAFF_PAGE), badge: count(primary, BADGE_STATEMENT), insights: count(primary, INSIGHTS), customer: count(primary, CUSTOMER_PAGE), rate: count(primary, RATE_STATEMENT) },
    };
    // With the service's word on the standby (each change of its state), so a page on the wrong server says why.
    const said = replicaWords().map((l) => [l.msg, l.reason].filter(Boolean).join(': '));
    console.log(`read replica routing: ${JSON.stringify(where)}; the service on the standby: ${JSON.stringify(said)}`);
    expect(where.standby).toEqual({ staff: 5, badge: 5, insights: 5, customer: 0, rate: 0 });
    expect(where.primary).toEqual({ staff: 0, badge: 0, insights: 0, customer: 5, rate: 5 });
  });

  it('replay paused past REPLICA_MAX_LAG_MS: staff pages move to the primary and show the newest rating; resumed, back to the standby', async () => {
    const standbyDb = new pg.Client({ connectionString: pair.standby.url(new URL(db.url).pathname.slice(1)) });
    await standbyDb.connect();
    try {
      await standbyDb.query('select pg_wal_replay_pause()');
      const t = tickets[10]!;
      expect((await gql(RATE, { id: t.id, rating: 2 }, customerToken)).body.data.rateTicket.csatRating).toBe(2);
      // The customer sees it at once (the primary), the standby has not replayed it.
      expect((await customerPage()).body.data._entities.find((e: { id: string }) => e.id === t.id).csatRating).toBe(2);
      expect((await standbyDb.query('select count(*)::int as n from csat_rating where ticket_id = $1', [t.id])).rows[0].n).toBe(0);
      // Past the lag allowed, as the service's poll found: staff read the primary, and see it.
      await untilLastWord(SKIPPED);
      const p0 = pair.primary.logSize();
      const s0 = pair.standby.logSize();
      for (let i = 0; i < 3; i++) {
        const page = await staffPage();
        expect(page.body.errors).toBeUndefined();
        expect(page.body.data._entities.find((e: { id: string }) => e.id === t.id).csatRating).toBe(2);
      }
      expect({ primary: count(pair.primary.log(p0), STAFF_PAGE), standby: count(pair.standby.log(s0), STAFF_PAGE) }).toEqual({ primary: 3, standby: 0 });
    } finally {
      await standbyDb.query('select pg_wal_replay_resume()');
      await standbyDb.end();
    }
    // Replayed, and read from again (caughtUp waits for the service's word).
    await caughtUp();
    const s1 = pair.standby.logSize();
    expect((await staffPage()).body.errors).toBeUndefined();
    expect(count(pair.standby.log(s1), STAFF_PAGE)).toBe(1);
  });

  it('the standby stopped mid-load: zero failed requests, reads carry on on the primary', async () => {
    const outcomes: string[] = [];
    let running = true;
    const kinds = [() => staffPage(), () => gql(SUMMARY, {}, staffToken), () => gql(BADGE, { w: randomUUID() }), () => customerPage()];
    const client = async (i: number) => {
      for (let n = i; running; n++) {
        try {
          const res = await kinds[n % kinds.length]!();
          outcomes.push(res.status === 200 && !res.body.errors ? 'ok' : `${res.status} ${JSON.stringify(res.body.errors)}`);
        } catch (err) {
          outcomes.push(String((err as { code?: string }).code ?? err));
        }
      }
    };
    const s0 = pair.standby.logSize();
    const clients = Array.from({ length: 16 }, (_, i) => client(i));
    await expect.poll(() => outcomes.length, { timeout: 30_000 }).toBeGreaterThan(300);
    const before = outcomes.length;
    const p0 = pair.primary.logSize();
    const onStandbyBefore = count(pair.standby.log(s0), STAFF_PAGE);
    await pair.standby.stop();
    const stoppedAt = outcomes.length;
    await expect.poll(() => outcomes.length, { timeout: 30_000 }).toBeGreaterThan(stoppedAt + 300);
    running = false;
    await Promise.all(clients);
    const failed = outcomes.filter((o) => o !== 'ok');
    const replicaLines = svc.logs().filter((l) => String(l.msg).startsWith('database replica'));
    console.log(
      `standby stopped mid-load: ${JSON.stringify({ requests: outcomes.length, beforeStop: before, failed: failed.length, staffPagesOnStandbyBefore: onStandbyBefore, staffPagesOnPrimaryAfter: count(pair.primary.log(p0), STAFF_PAGE) })}\n` +
        replicaLines.map((l) => `  ${l.msg} ${l.reason ?? ''}`).join('\n'),
    );
    expect(onStandbyBefore).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(count(pair.primary.log(p0), STAFF_PAGE)).toBeGreaterThan(0);
    expect(svc.stderr()).toBe('');
  });
});
