// Issue 19, item 4: many replicas, a rolling restart, nothing lost. Three built subgraph processes (`node
// dist/src/main.js`, CSAT_WORKER=off) and one delivery worker (`node dist/src/worker.main.js`), a round-robin
// balancer in front of the three (test/helpers/round.robin.proxy.ts: /readyz health checks, kept-alive
// connections), the dev gateway (@apollo/gateway) over the balancer and the Tickets subgraph, a webhook receiver.
// 50 clients read their inbox page and rate through the gateway while the three restart one after another
// (SIGTERM, wait for the exit, start again on the same port, wait until ready). Zero failed requests; every
// acknowledged rating stored once; every rating's webhook event delivered once.
import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startGateway } from '../dev/gateway/gateway.server.js';
import { freePort } from '../dev/embedded.postgres.js';
import { TICKETS_SDL } from '../dev/tickets/tickets.schema.js';
import { startTicketsServer, type RunningServer } from '../dev/tickets/tickets.server.js';
import { signDevToken } from '../src/auth/token.signer.js';
import { createTicket, type TicketFixture } from './helpers/fixtures.js';
import { startRoundRobinProxy, type RoundRobinProxy } from './helpers/round.robin.proxy.js';
import { safeToRepeat } from './helpers/safe.retry.js';
import { PROCESS_SECRET, startServiceProcess, type ServiceProcess } from './helpers/service.process.js';
import { startReceiver, type Receiver } from './helpers/webhook.receiver.js';
import { readFileSync } from 'node:fs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLIENTS = 50;
const TICKETS_PER_CLIENT = 40;
// Longer than the balancer takes to see readiness turn 503 (two failed checks 500 ms apart, each up to its own
// time under load), as docs/deploy.md asks of SHUTDOWN_DELAY_MS: with 1000 ms a loaded machine still routed new
// connections to a listener that had closed, and one queued in its accept backlog was reset (1 failure in ~4 runs).
const DELAY_MS = 2500;
const INBOX = `query($first: Int!) { tickets(first: $first) { edges { node { id status csatRating csatCanRate } } } }`;
const RATE = `mutation($id: ID!, $rating: Int!) { rateTicket(ticketId: $id, rating: $rating) { id csatRating } }`;
const CREATE = `mutation C($input: CreateCsatWebhookInput!) { createCsatWebhook(input: $input) { secret webhook { id } } }`;
// Load shedding off: on a loaded test machine it would answer 503 for reasons this test is not about.
const SERVICE_ENV = { SHUTDOWN_DELAY_MS: String(DELAY_MS), WEBHOOKS_ALLOW_LOOPBACK: 'true', CSAT_WORKER: 'off', PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0' };

describe('three subgraph processes behind a balancer and a gateway, restarted one after another under load', () => {
  const databaseUrl = inject('databaseUrl');
  let pool: pg.Pool;
  let receiver: Receiver;
  let tickets: RunningServer;
  let proxy: RoundRobinProxy;
  let gateway: RunningServer;
  let worker: ChildProcess;
  const ports: number[] = [];
  const services: ServiceProcess[] = [];
  const workspace = randomUUID();

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    receiver = await startReceiver();
    for (let i = 0; i < 3; i++) ports.push(await freePort());
    for (const port of ports) services.push(startServiceProcess(databaseUrl, { ...SERVICE_ENV, PORT: String(port) }));
    const urls = await Promise.all(services.map((s) => s.url));
    tickets = await startTicketsServer({ databaseUrl, auth: { mode: 'hs256', secret: PROCESS_SECRET }, port: 0, host: '127.0.0.1' });
    // A reset on a reused connection is repeated elsewhere only for a query or rateTicket (idempotent by its rule).
    proxy = await startRoundRobinProxy({ backends: ports.map((p) => `http://127.0.0.1:${p}`), retryable: (_req, body) => safeToRepeat(body) });
    const csatSdl = readFileSync(`${ROOT}/schema.graphql`, 'utf8');
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      subgraphs: [
        { name: 'tickets', url: tickets.url, sdl: TICKETS_SDL },
        { name: 'csat', url: `${proxy.url}/graphql`, sdl: csatSdl },
      ],
    });
    const admin = await signDevToken({ role: 'admin', workspace, sub: randomUUID() }, PROCESS_SECRET);
    const created = await post(urls[0]!, CREATE, { input: { url: receiver.url, events: ['CSAT_RATING_CREATED'] } }, admin);
    expect(created.errors).toBeUndefined();
    receiver.secrets.push(created.data.createCsatWebhook.secret);
    worker = spawn(process.execPath, ['dist/src/worker.main.js'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, AUTH_JWT_SECRET: PROCESS_SECRET, WEBHOOKS_ALLOW_LOOPBACK: 'true', LOG_LEVEL: 'warn', NODE_ENV: '' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }, 120_000);

  afterAll(async () => {
    worker?.kill('SIGTERM');
    await gateway?.stop();
    await proxy?.close();
    await tickets?.stop();
    for (const s of services) if (s.child.exitCode === null) s.child.kill('SIGTERM');
    await Promise.all(services.map((s) => s.exited));
    await receiver?.close();
    await pool?.end();
  }, 60_000);

  async function post(url: string, query: string, variables: Record<string, unknown>, token: string, dispatcher?: Agent) {
    const res = await request(url, {
      method: 'POST',
      dispatcher,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.body.text();
    try {
      return { status: res.statusCode, ...(JSON.parse(text) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] }) };
    } catch {
      return { status: res.statusCode, errors: [{ message: text.slice(0, 200) }] };
    }
  }

  it('zero failed requests, every acknowledged rating stored once, every webhook event delivered once', async () => {
    // Each client: a customer with resolved tickets of their own.
    const clients: { token: string; tickets: TicketFixture[] }[] = [];
    for (let c = 0; c < CLIENTS; c++) {
      const requester = randomUUID();
      const mine: TicketFixture[] = [];
      for (let t = 0; t < TICKETS_PER_CLIENT; t++) mine.push(await createTicket(pool, { workspace, requester }));
      clients.push({ token: await signDevToken({ role: 'customer', workspace, sub: requester }, PROCESS_SECRET), tickets: mine });
    }
    const dispatcher = new Agent({ connections: CLIENTS, keepAliveTimeout: 30_000 });
    const gatewayUrl = gateway.url;
    const failures: string[] = [];
    const acknowledged = new Map<string, number>();
    let requests = 0;
    let running = true;

    const client = async ({ token, tickets: mine }: (typeof clients)[number]) => {
      for (let i = 0; running; i++) {
        // An inbox page, then a rating of the next ticket (the last ones again: a repeat is answered unchanged).
        const t = mine[i % mine.length]!;
        const rating = 1 + (i % 5);
        for (const [query, variables] of [
          [INBOX, { first: 20 }],
          [RATE, { id: t.id, rating }],
        ] as const) {
          requests++;
          try {
            const res = await post(gatewayUrl, query, variables, token, dispatcher);
            if (res.status !== 200 || res.errors) failures.push(`${query === RATE ? 'rateTicket' : 'inbox'}: ${res.status} ${JSON.stringify(res.errors)}`);
            else if (query === RATE && !acknowledged.has(t.id)) acknowledged.set(t.id, res.data.rateTicket.csatRating);
          } catch (err) {
            failures.push(`${query === RATE ? 'rateTicket' : 'inbox'}: ${String((err as { code?: string }).code ?? err)}`);
          }
        }
      }
    };
    const load = clients.map(client);
    await new Promise((r) => setTimeout(r, 1500));

    // The rolling restart: one at a time, on the same port, the next once this one is ready again.
    const restarts: { stopMs: number; readyMs: number }[] = [];
    for (let i = 0; i < services.length; i++) {
      const started = performance.now();
      services[i]!.child.kill('SIGTERM');
      const exit = await services[i]!.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const stopped = performance.now();
      services[i] = startServiceProcess(databaseUrl, { ...SERVICE_ENV, PORT: String(ports[i]) });
      await services[i]!.url;
      await expect.poll(async () => (await fetch(`http://127.0.0.1:${ports[i]}/readyz`)).status, { timeout: 20_000, interval: 50 }).toBe(200);
      restarts.push({ stopMs: Math.round(stopped - started), readyMs: Math.round(performance.now() - stopped) });
      // The balancer's next health check puts it back in rotation.
      await new Promise((r) => setTimeout(r, 300));
    }
    await new Promise((r) => setTimeout(r, 1000));
    running = false;
    await Promise.all(load);
    await dispatcher.close();

    // Stored once each, with the acknowledged value (the first rating wins; later calls answered it unchanged).
    const ids = [...acknowledged.keys()];
    const { rows } = await pool.query<{ ticket_id: string; rating: number; n: number }>(
      'select ticket_id, min(rating) as rating, count(*)::int as n from csat_rating where ticket_id = any($1::uuid[]) group by ticket_id',
      [ids],
    );
    const stored = new Map(rows.map((r) => [r.ticket_id, r]));
    const wrong = ids.filter((id) => stored.get(id)?.n !== 1 || stored.get(id)?.rating !== acknowledged.get(id));
    // Every rating's event delivered once: one 2xx-answered webhook-id per rated ticket, none twice.
    const allRated = await pool.query<{ ticket_id: string }>('select ticket_id from csat_rating where workspace_id = $1', [workspace]);
    await receiver.waitFor((all) => new Set(all.filter((r) => r.status < 300).map((r) => r.json.data.ticketId)).size >= allRated.rows.length, 30_000).catch(() => {});
    const delivered = receiver.received.filter((r) => r.status < 300);
    const perTicket = new Map<string, Set<string>>();
    for (const r of delivered) perTicket.set(r.json.data.ticketId, (perTicket.get(r.json.data.ticketId) ?? new Set()).add(r.id));
    const duplicates = delivered.length - new Set(delivered.map((r) => r.id)).size;

    const tally: Record<string, number> = {};
    for (const f of failures) tally[f.slice(0, 120)] = (tally[f.slice(0, 120)] ?? 0) + 1;
    console.log(
      `rolling restart of 3 behind a gateway: ${JSON.stringify({ clients: CLIENTS, requests, failed: failures.length, ratings: ids.length, stored: rows.length, events: delivered.length, duplicates, restarts, balancer: proxy.stats })}\n` +
        Object.entries(tally)
          .map(([f, n]) => `  ${n} x ${f}`)
          .join('\n'),
    );
    expect(failures).toEqual([]);
    expect(wrong).toEqual([]);
    expect(allRated.rows.length).toBe(ids.length);
    expect(allRated.rows.filter((r) => perTicket.get(r.ticket_id)?.size !== 1)).toEqual([]);
    expect(duplicates).toBe(0);
    expect(requests).toBeGreaterThan(1000);
  }, 240_000);
});
