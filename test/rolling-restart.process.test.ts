// Issue 17, item 6: a rolling restart loses no request. 50 clients on kept-alive sockets (an undici Agent, as a
// router keeps its connections) hammer the real process; SIGTERM; a load balancer stand-in polls /readyz and
// stops sending when it turns 503. Every request is answered (200, or 503 for one that came too late), none is
// reset or refused, and the process exits 0 once the drain delay and the in-flight requests are over.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signDevToken } from '../src/auth/token.signer.js';
import { PROCESS_SECRET, startServiceProcess, type ServiceProcess } from './helpers/service.process.js';

const CLIENTS = 50;
const DELAY_MS = 1500;
const PAGE = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment } } }';

describe('SIGTERM under load, clients on kept-alive sockets', () => {
  let svc: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    svc = startServiceProcess(inject('databaseUrl'), { SHUTDOWN_DELAY_MS: String(DELAY_MS) });
    url = await svc.url;
  });

  afterAll(async () => {
    svc.child.kill('SIGKILL');
    await svc.exited;
  });

  it('zero resets: every request answered 200 or 503, readiness 503 first, connection: close while draining, exit 0 after the delay', async () => {
    const token = await signDevToken({ role: 'agent', workspace: randomUUID(), sub: randomUUID() }, PROCESS_SECRET);
    const body = JSON.stringify({ query: PAGE, variables: { r: [{ __typename: 'Ticket', id: randomUUID() }] } });
    const base = url.replace(/\/graphql$/, '');
    const dispatcher = new Agent({ connections: CLIENTS, keepAliveTimeout: 30_000 });

    // The load balancer: sends while /readyz says ready (polled every 100 ms, on connections of its own).
    const probe = new Agent({ connections: 1 });
    let sending = true;
    let signalledAt = 0;
    let readinessOffAt = 0;
    const lb = (async () => {
      while (sending) {
        try {
          const res = await request(`${base}/readyz`, { dispatcher: probe });
          await res.body.dump();
          if (res.statusCode !== 200) {
            readinessOffAt = performance.now();
            sending = false;
          }
        } catch {
          readinessOffAt = performance.now();
          sending = false; // the pod is gone: a balancer stops too
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const outcomes: { status: number | string; close: boolean; afterSignal: boolean }[] = [];
    const client = async () => {
      while (sending) {
        const afterSignal = signalledAt > 0;
        try {
          const res = await request(url, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
          const text = await res.body.text();
          if (res.statusCode === 200) expect(JSON.parse(text).errors).toBeUndefined();
          outcomes.push({ status: res.statusCode, close: res.headers.connection === 'close', afterSignal });
        } catch (err) {
          outcomes.push({ status: String((err as { code?: string }).code ?? err), close: false, afterSignal });
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, client);
    await expect.poll(() => outcomes.length, { timeout: 30_000 }).toBeGreaterThan(500);

    signalledAt = performance.now();
    svc.child.kill('SIGTERM');
    await Promise.all([...clients, lb]);
    const exit = await svc.exited;
    const exitedAfterMs = performance.now() - signalledAt;
    await dispatcher.close();
    await probe.close();

    const tally: Record<string, number> = {};
    for (const o of outcomes) tally[o.status] = (tally[o.status] ?? 0) + 1;
    const draining = outcomes.filter((o) => o.afterSignal);
    console.log(
      `rolling restart: ${JSON.stringify({ requests: outcomes.length, tally, afterSignal: draining.length, closeAfterSignal: draining.filter((o) => o.close).length, readinessOffMs: Math.round(readinessOffAt - signalledAt), exitedAfterMs: Math.round(exitedAfterMs) })}`,
    );
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503)).toEqual([]);
    // Readiness went first, well inside the delay, while the listener still accepted.
    expect(readinessOffAt - signalledAt).toBeLessThan(DELAY_MS);
    expect(draining.length).toBeGreaterThan(0);
    // Sent after SIGTERM: each answer tells its client to close the connection.
    expect(draining.filter((o) => o.status === 200 && !o.close)).toEqual([]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeGreaterThanOrEqual(DELAY_MS);
    expect(svc.stderr()).toBe('');
  });
});
