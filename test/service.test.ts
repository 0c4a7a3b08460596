// The service around the schema, in-process: probes, request ids, error masking, body limits, graceful drain.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';
import { createTicket, storedRatings, testPool } from './helpers/fixtures.js';
import { startTestApp, tokenFor, useTestApp, viewer } from './helpers/test.app.js';

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }`;
const RATE = `mutation($t: ID!, $r: Int!, $c: String) { rateTicket(ticketId: $t, rating: $r, comment: $c) { id csatRating csatComment csatRatedAt csatCanRate } }`;

const ctx = useTestApp();
let base: string;
beforeAll(async () => {
  base = ctx.app.url.replace(/\/graphql$/, '');
});

/** A POST to /graphql that keeps the raw body text, for asserting what never reaches a client. */
async function rawGql(query: string, variables: Record<string, unknown>, token?: string, headers: Record<string, string> = {}, url = ctx.app.url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as { data?: any; errors?: any[] } };
}

async function agentWithTicket() {
  const workspace = randomUUID();
  const ticket = await createTicket(ctx.pool, { workspace, requester: randomUUID(), status: 'resolved' });
  return { ticket, token: await tokenFor(viewer('agent', workspace)) };
}

describe('probes and routing', () => {
  it('GET /healthz answers 200', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 ready while the database answers', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready' });
  });

  it('an unknown path is a 404', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    await res.body?.cancel();
  });
});

describe('x-request-id', () => {
  it('is set on /graphql responses when the caller sent none', async () => {
    const res = await ctx.app.gql('{ __typename }');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('echoes a valid incoming id, and logs the request under it', async () => {
    const id = `gw-${randomUUID()}.1:2`;
    const res = await ctx.app.gql('{ __typename }', undefined, { headers: { 'x-request-id': id } });
    expect(res.headers.get('x-request-id')).toBe(id);
    await expect.poll(() => ctx.app.logs.some((l) => l.requestId === id && l.msg === 'request' && l.path === '/graphql')).toBe(true);
  });

  it('replaces an invalid incoming id (spaces, too long) with a fresh one', async () => {
    for (const bad of ['has spaces in it', 'x'.repeat(129), 'a"b<script>', 'fake\\nline']) {
      const res = await ctx.app.gql('{ __typename }', undefined, { headers: { 'x-request-id': bad } });
      const got = res.headers.get('x-request-id');
      expect(got).toBeTruthy();
      expect(got).not.toBe(bad);
      expect(got).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('error masking', () => {
  it('masks a database failure as INTERNAL_SERVER_ERROR, logs it whole with the request id, and recovers', async () => {
    // A real driver error, with SQL detail in it: the ratings table disappears under a running service.
    // Its own database, so that test files running beside this one keep theirs.
    const db = await createThrowawayDatabase(`csat_test_masking_${process.pid}`, { serverUrl: inject('databaseUrl') });
    const app = await startTestApp({ DATABASE_URL: db.url });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const workspace = randomUUID();
      const ticket = await createTicket(admin, { workspace, requester: randomUUID(), status: 'resolved' });
      const token = await tokenFor(viewer('agent', workspace));
      const entities = () => rawGql(ENTITIES, { r: [{ __typename: 'Ticket', id: ticket.id }] }, token, {}, app.url);

      await admin.query('alter table csat_rating rename to csat_rating_hidden_for_the_test');
      const res = await entities();
      expect(res.body.errors).toHaveLength(1);
      expect(res.body.errors![0].message).toBe('Internal server error');
      expect(res.body.errors![0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
      expect(res.text).not.toContain('csat_rating');
      expect(res.text).not.toContain('relation');
      expect(res.text).not.toContain('42P01');
      expect(res.text).not.toMatch(/\bat /);
      expect(res.text).not.toContain('stacktrace');

      const requestId = res.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      const logged = app.logs.filter((l) => l.level === 50 && l.requestId === requestId);
      expect(logged.length).toBeGreaterThanOrEqual(1);
      expect(logged.some((l) => JSON.stringify(l).includes('relation \\"csat_rating\\" does not exist'))).toBe(true);

      await admin.query('alter table csat_rating_hidden_for_the_test rename to csat_rating');
      const again = await entities();
      expect(again.body.errors).toBeUndefined();
      expect(again.body.data._entities).toEqual([{ id: ticket.id, csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false }]);
    } finally {
      await admin.end();
      await app.stop();
      await db.drop();
    }
  });
});

describe('request bodies', () => {
  it('refuses a body over 4 MB with 413', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    const res = await fetch(ctx.app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(res.status).toBe(413);
    await res.body?.cancel();
  });

  it('answers a body that is not JSON with 400 and a JSON error', async () => {
    const res = await fetch(ctx.app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": "{ __typename }"' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.message).toMatch(/JSON/);
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('still serves after those refusals', async () => {
    const res = await ctx.app.gql('{ __typename }');
    expect(res.data).toEqual({ __typename: 'Query' });
  });
});

/** Raw HTTP/1.1 on one socket, so a test can send a second request on a kept-alive connection mid-drain. */
function rawSocket(url: string) {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.setEncoding('utf8').on('data', (c: string) => (received += c));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    send: (text: string) => socket.write(text),
    /** Every response the server wrote before it closed the connection: status, headers, body. */
    async responses() {
      await closed;
      const out: { status: number; headers: Record<string, string>; body: string }[] = [];
      for (let rest = received; rest.length; ) {
        const end = rest.indexOf('\r\n\r\n');
        const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
        const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const length = Number(headers['content-length']);
        out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
        rest = rest.slice(end + 4 + length);
      }
      return out;
    },
  };
}

describe('a client that goes away', () => {
  it('mid-request (its rating still being stored) is logged at debug, never as an error', async () => {
    const workspace = randomUUID();
    const me = viewer('customer', workspace);
    const ticket = await createTicket(ctx.pool, { workspace, requester: me.sub, status: 'resolved' });
    const token = await tokenFor(me);
    const blocker = await ctx.pool.connect();
    const id = `abort-${randomUUID()}`;
    try {
      await blocker.query('begin');
      await blocker.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, $2, 1, $3)`, [workspace, ticket.id, me.sub]);
      const { hostname, port } = new URL(ctx.app.url);
      const socket = connect(Number(port), hostname);
      const body = JSON.stringify({ query: RATE, variables: { t: ticket.id, r: 3, c: 'gone' } });
      socket.write(`POST /graphql HTTP/1.1\r\nhost: t\r\nx-request-id: ${id}\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      await expect
        .poll(async () => (await ctx.pool.query(`select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into csat_rating%' and datname = current_database()`)).rows[0].n)
        .toBeGreaterThanOrEqual(1);
      socket.destroy();
      await new Promise((r) => socket.once('close', r));
    } finally {
      await blocker.query('rollback');
      blocker.release();
    }
    // The request finishes on the server (the rating is stored), and its answer has nowhere to go.
    await expect.poll(async () => (await storedRatings(ctx.pool, ticket.id)).length).toBe(1);
    await expect.poll(() => ctx.app.logs.filter((l) => l.requestId === id && l.level <= 30).length).toBeGreaterThan(0);
    expect(ctx.app.logs.filter((l) => l.requestId === id && l.level >= 50)).toEqual([]);
  });
});

// Last: it stops the app.
describe('graceful drain', () => {
  it('finishes an in-flight rateTicket, whose answer closes its kept-alive socket, then closes the pool', async () => {
    const workspace = randomUUID();
    const me = viewer('customer', workspace);
    const ticket = await createTicket(ctx.pool, { workspace, requester: me.sub, status: 'resolved' });
    const token = await tokenFor(me);

    // rateTicket's INSERT ... ON CONFLICT waits on an uncommitted row with the same key. This lock holds
    // one key only, so test files running beside this one are not slowed.
    const blocker = await ctx.pool.connect();
    let released = false;
    try {
      await blocker.query('begin');
      await blocker.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, $2, 1, $3)`, [workspace, ticket.id, me.sub]);

      const socket = rawSocket(ctx.app.url);
      const body = JSON.stringify({ query: RATE, variables: { t: ticket.id, r: 4, c: 'drained' } });
      socket.send(
        `POST /graphql HTTP/1.1\r\nhost: test\r\nconnection: keep-alive\r\ncontent-type: application/json\r\n` +
          `authorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      // The request is really waiting on the database.
      await expect
        .poll(async () => {
          const { rows } = await ctx.pool.query(
            `select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and query like '%insert into csat_rating%' and datname = current_database()`,
          );
          return rows[0].n;
        })
        .toBeGreaterThanOrEqual(1);

      const events: string[] = [];
      // No drain delay here (the process's SIGTERM has one: test/rolling-restart.process.test.ts).
      const stopped = ctx.app.app.stop().then(() => events.push('stopped'));
      // The listener closes: no new connections.
      await expect.poll(() => fetch(`${base}/healthz`).then(() => 'accepted', () => 'refused')).toBe('refused');
      // Pipelined behind the in-flight request: not run, since that answer closes the connection (HTTP/1.1
      // tells the client to retry it elsewhere).
      socket.send('GET /readyz HTTP/1.1\r\nhost: test\r\n\r\n');

      // The pool stays open while a request is in flight (rateTicket may need its second statement).
      expect(await ctx.app.app.db.orm.isConnected()).toBe(true);
      expect(events).toEqual([]); // still draining: the request holds the stop
      await blocker.query('rollback');
      released = true;

      const [rated, ...more] = await socket.responses();
      expect(more).toEqual([]);
      expect(rated!.status).toBe(200);
      expect(rated!.headers.connection).toBe('close');
      expect(JSON.parse(rated!.body).data.rateTicket).toMatchObject({ id: ticket.id, csatRating: 4, csatComment: 'drained', csatCanRate: false });
      await stopped;
      expect(events).toEqual(['stopped']);
      expect(await ctx.app.app.db.orm.isConnected()).toBe(false);
      expect(await storedRatings(ctx.pool, ticket.id)).toEqual([expect.objectContaining({ rating: 4, comment: 'drained' })]);
    } finally {
      if (!released) await blocker.query('rollback').catch(() => {});
      blocker.release();
    }
  });
});

describe('DATABASE_URL parameters', () => {
  it("reach pg's own connection settings (application_name here; sslmode and a socket host work the same way)", async () => {
    const url = new URL(inject('databaseUrl'));
    url.searchParams.set('application_name', 'csat-url-param-check');
    const app = await startTestApp({ DATABASE_URL: url.toString(), LOG_LEVEL: 'warn' });
    const pool = testPool();
    try {
      // An agent's page runs the staff batch: the connection that ran it must carry the URL's application_name
      // (idle connections left by the start-up's migrations would not prove that).
      const token = await tokenFor(viewer('agent', randomUUID()));
      const res = await app.gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating } } }', { r: [{ __typename: 'Ticket', id: randomUUID() }] }, { token });
      expect(res.errors).toBeUndefined();
      const { rows } = await pool.query(
        `select application_name from pg_stat_activity where query like '%from csat_rating r%ticket_id = any%' and datname = current_database() and pid <> pg_backend_pid()`,
      );
      expect(rows.map((r) => r.application_name)).toContain('csat-url-param-check');
    } finally {
      await app.stop();
      await pool.end();
    }
  });

  it('an unparsable DATABASE_URL stops the start with a message naming it', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://user@/db?host=/tmp' })).toThrow(/DATABASE_URL is not a valid URL/);
  });
});

describe('a database connection the server ends while idle', () => {
  // Its own app and application_name: the connections ended are this app's only (the other files share the database).
  const name = 'csat-idle-drop-check';
  const url = new URL(inject('databaseUrl'));
  url.searchParams.set('application_name', name);
  const dropped = useTestApp({ DATABASE_URL: url.toString() });

  it('is one warning, not the end of the process: the next request gets a new connection', async () => {
    const token = await tokenFor(viewer('agent', randomUUID()));
    const page = () => dropped.app.gql(ENTITIES, { r: [{ __typename: 'Ticket', id: randomUUID() }] }, { token });
    await Promise.all([page(), page(), page()]);
    const { rows } = await dropped.pool.query(
      `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = $1 and state = 'idle' and datname = current_database()`,
      [name],
    );
    expect(rows[0].n).toBeGreaterThan(0);
    const lost = () => dropped.app.logs.filter((l) => l.msg === 'database: idle connection lost');
    // Every connection ended is counted (one line a second at most: a later line carries `suppressed`, the
    // occurrences it stands for), and then none is left in the pool for the next request to pick.
    await expect.poll(() => lost().reduce((n, l) => n + (l.suppressed ?? 1), 0)).toBe(rows[0].n);
    const [line] = lost();
    expect(line).toMatchObject({ level: 40 });
    // pg reports the server's message (57P01) when it reads it before the socket closes, else only the closed socket.
    expect([
      { message: 'terminating connection due to administrator command', code: '57P01' },
      { message: 'Connection terminated unexpectedly' },
    ]).toContainEqual({ message: line!.err.message, ...(line!.err.code === undefined ? {} : { code: line!.err.code }) });
    expect(line!.err).not.toHaveProperty('client');
    const before = dropped.app.sqlCount();
    const after = await page();
    expect(after.errors).toBeUndefined();
    expect(after.data._entities).toEqual([expect.objectContaining({ csatRating: null })]);
    expect(dropped.app.sqlCount() - before).toBe(1);
  });
});

describe('a database connection the server ends while in use', () => {
  // Its own app and application_name: the connection ended is this app's only (the other files share the database).
  const name = 'csat-busy-drop-check';
  const url = new URL(inject('databaseUrl'));
  url.searchParams.set('application_name', name);
  const busy = useTestApp({ DATABASE_URL: url.toString() });

  it('fails its request with the retryable SERVICE_UNAVAILABLE and retry-after, not the process; the next request is served', async () => {
    const workspace = randomUUID();
    const me = viewer('customer', workspace);
    const ticket = await createTicket(busy.pool, { workspace, requester: me.sub, status: 'resolved' });
    const token = await tokenFor(me);
    // Another transaction holds this ticket's rating row: the app's statement waits on it, its connection checked out.
    const locker = new pg.Client({ connectionString: inject('databaseUrl') });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query(`insert into csat_rating (workspace_id, ticket_id, rating, rated_by) values ($1, $2, 5, $3)`, [workspace, ticket.id, me.sub]);
      const answer = rawGql(RATE, { t: ticket.id, r: 3, c: null }, token, {}, busy.app.url);
      const waiting = async () =>
        (await busy.pool.query(`select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock' and datname = current_database()`, [name])).rows;
      await expect.poll(async () => (await waiting()).length).toBe(1);
      const [{ pid }] = await waiting();
      await busy.pool.query('select pg_terminate_backend($1)', [pid]);
      const res = await answer;
      expect(res.status).toBe(200);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.body.errors).toEqual([
        { message: 'the database is unavailable; retry', locations: expect.any(Array), path: ['rateTicket'], extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } },
      ]);
    } finally {
      await locker.query('rollback');
      await locker.end();
    }
    await expect.poll(() => busy.app.logs.filter((l) => l.msg === 'database unavailable').length).toBe(1);
    expect(busy.app.logs.filter((l) => l.level >= 50)).toEqual([]);
    const again = await busy.app.gql(RATE, { t: ticket.id, r: 3 }, { token });
    expect(again.errors).toBeUndefined();
    expect(again.data.rateTicket.csatRating).toBe(3);
  });
});
