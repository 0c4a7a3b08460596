// Issue 17, item 5: the answer to one request is bounded as the request is, and the process sheds load before
// its memory runs out. The attack, against the real process: 60 `_entities` pages at once, each 5000
// representations of tickets whose comment is 2000 emoji (40 MB of answer each, before). Its peak resident set
// (VmHWM of /proc/<pid>/status) stays under 600 MB and /healthz answers within a second throughout.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Worker } from 'node:worker_threads';
import { Agent, fetch } from 'undici';
import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signDevToken } from '../src/auth/token.signer.js';
import { loadConfig } from '../src/config/config.js';
import { entitiesAnswerBytes } from '../src/server/answer.size.js';
import { PROCESS_SECRET, procStatusBytes, startServiceProcess, type ServiceProcess } from './helpers/service.process.js';

const MB = 1024 * 1024;
const TICKETS = 5000;
const EMOJI_COMMENT = '😀'.repeat(2000);
const PAGE = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt csatCanRate } } }';

let pool: pg.Pool;
const workspace = randomUUID();
let ids: string[];

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: inject('databaseUrl'), max: 2 });
  // One assignee per ticket: each rating's rollup row is its own (a shared bucket would be updated 5000 times in one statement).
  const { rows } = await pool.query<{ id: string }>(
    `with t as (
       insert into ticket (workspace_id, ref, status, requester_id, assignee_id)
       select $1, 'T-' || g, 'resolved', gen_random_uuid(), gen_random_uuid() from generate_series(1, $2) g
       returning id, workspace_id, requester_id, assignee_id)
     insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id)
     select workspace_id, id, 1, $3, requester_id, assignee_id from t returning ticket_id as id`,
    [workspace, TICKETS, EMOJI_COMMENT],
  );
  ids = rows.map((r) => r.id);
});

afterAll(async () => {
  await pool?.end();
});

interface Outcome {
  status: number | string;
  bytes: number;
  code?: string;
}

/** POSTs `body` and reads the answer as a stream (the test process must not hold 60 answers either). */
async function send(url: string, body: string, token: string, dispatcher: Agent): Promise<Outcome> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body, dispatcher });
    let bytes = 0;
    let head = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (head.length < 512) head += Buffer.from(chunk).toString('utf8', 0, 512);
      bytes += chunk.length;
    }
    const code = head.match(/"code":"([A-Z_]+)"/)?.[1];
    return { status: res.status, bytes, code };
  } catch (err) {
    return { status: String((err as { cause?: { code?: string } }).cause?.code ?? err), bytes: 0 };
  }
}

/**
 * /healthz, one probe after another every 50 ms until stopped, from a worker thread: its own event loop, so
 * that what is measured is the service's answer, not this process being busy sending the attack.
 */
async function probeHealth(base: string) {
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     let stop = false, slowest = 0, answered = 0, failed = 0;
     parentPort.on('message', () => (stop = true));
     (async () => {
       await (await fetch(workerData + '/healthz')).arrayBuffer(); // warm: the worker's own start is not the service's delay
       parentPort.postMessage('ready');
       while (!stop) {
         const started = performance.now();
         try {
           const res = await fetch(workerData + '/healthz');
           await res.arrayBuffer();
           if (res.status === 200) answered++; else failed++;
         } catch { failed++; }
         slowest = Math.max(slowest, performance.now() - started);
         await new Promise((r) => setTimeout(r, 50));
       }
       parentPort.postMessage({ slowest, answered, failed });
     })();`,
    { eval: true, workerData: base },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  return {
    async stop(): Promise<{ slowest: number; answered: number; failed: number }> {
      const result = new Promise<{ slowest: number; answered: number; failed: number }>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const out = await result;
      await worker.terminate();
      return out;
    },
  };
}

/** The representations of the largest page of PAGE the default LIMIT_ANSWER_BYTES admits (its worst case, as the service counts it). */
function largestAdmitted(ids: string[]): number {
  const field = (parse(PAGE).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
  const limit = loadConfig({}).limits.answerBytes;
  let n = 1;
  while (n < ids.length && entitiesAnswerBytes(field, () => undefined, n + 1, (n + 1) * 36) <= limit) n++;
  return n;
}

describe('60 pages at once of tickets with 2000-emoji comments, against the real process with its defaults', () => {
  let svc: ServiceProcess;
  let url: string;
  let token: string;

  beforeAll(async () => {
    svc = startServiceProcess(inject('databaseUrl'));
    url = await svc.url;
    token = await signDevToken({ role: 'agent', workspace, sub: randomUUID() }, PROCESS_SECRET);
  });

  afterAll(async () => {
    svc.child.kill('SIGKILL');
    await svc.exited;
  });

  async function attack(body: string) {
    const base = url.replace(/\/graphql$/, '');
    const dispatcher = new Agent({ connections: 100 });
    const health = await probeHealth(base);
    const started = performance.now();
    const outcomes = await Promise.all(Array.from({ length: 60 }, () => send(url, body, token, dispatcher)));
    const seconds = (performance.now() - started) / 1000;
    const probes = await health.stop();
    await dispatcher.close();
    const answers: Record<string, number> = {};
    for (const o of outcomes) answers[`${o.status}${o.code ? ` ${o.code}` : ''}`] = (answers[`${o.status}${o.code ? ` ${o.code}` : ''}`] ?? 0) + 1;
    const peak = procStatusBytes(svc.pid, 'VmHWM');
    const figures = {
      requestBytes: Buffer.byteLength(body),
      answers,
      largestAnswerBytes: Math.max(...outcomes.map((o) => o.bytes)),
      seconds: Math.round(seconds * 10) / 10,
      peakRssMB: Math.round(peak / MB),
      healthzSlowestMs: Math.round(probes.slowest),
      healthzProbes: probes.answered,
    };
    console.log(`overload figures: ${JSON.stringify(figures)}`);
    // The issue's goal: resident memory bounded, liveness answering throughout; never an internal error.
    expect(peak).toBeLessThan(600 * MB);
    expect(probes.failed).toBe(0);
    expect(probes.slowest).toBeLessThan(1000);
    expect(outcomes.filter((o) => o.code === 'INTERNAL_SERVER_ERROR')).toEqual([]);
    return outcomes;
  }

  /** SQL statements the service has sent (its /metrics, on the public listener outside production). */
  async function statements(): Promise<number> {
    const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
    return Number(text.match(/^csat_sql_statements_total (\d+)$/m)![1]);
  }

  it('5000 representations each (the attack): refused before any SQL with BAD_USER_INPUT answerBytes (or shed)', async () => {
    const body = JSON.stringify({ query: PAGE, variables: { r: ids.map((id) => ({ __typename: 'Ticket', id })) } });
    const before = await statements();
    const outcomes = await attack(body);
    expect(await statements()).toBe(before);
    // Each refused for its answer's size; or, on a machine so loaded that the event loop lags past its threshold, shed first.
    for (const o of outcomes) expect(['400 BAD_USER_INPUT', '503 SERVICE_UNAVAILABLE']).toContain(`${o.status} ${o.code}`);
    const refused = () => svc.logs().filter((l) => l.msg === 'request refused: over a limit' && l.limits?.[0] === 'answerBytes');
    await expect.poll(() => refused().length).toBe(outcomes.filter((o) => o.status === 400).length);
  });

  it('the largest page the default limit admits: each answered whole, or shed with a retryable 503 while the large answers in flight fill their budget', async () => {
    const n = largestAdmitted(ids);
    const body = JSON.stringify({ query: PAGE, variables: { r: ids.slice(0, n).map((id) => ({ __typename: 'Ticket', id })) } });
    const outcomes = await attack(body);
    const whole = 2 + n * Buffer.byteLength(JSON.stringify({ id: ids[0], csatRating: 1, csatComment: EMOJI_COMMENT, csatRatedAt: '2026-01-01T00:00:00.000Z', csatCanRate: false }));
    for (const o of outcomes) {
      if (o.status === 200) expect(o.bytes).toBeGreaterThan(whole);
      else expect(`${o.status} ${o.code}`).toBe('503 SERVICE_UNAVAILABLE');
    }
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(0);
    console.log(`largest admitted page: ${n} representations`);
  });
});

describe('load shedding (@fastify/under-pressure), here with a heap threshold every sample passes', () => {
  let svc: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    svc = startServiceProcess(inject('databaseUrl'), { PRESSURE_MAX_HEAP_USED_BYTES: '1' });
    base = (await svc.url).replace(/\/graphql$/, '');
  });

  afterAll(async () => {
    svc.child.kill('SIGKILL');
    await svc.exited;
  });

  it('/graphql answers 503 SERVICE_UNAVAILABLE with retry-after and its request id, and runs nothing; readiness says so; liveness stays 200', async () => {
    // Readiness reports the pressure from the first sample on, which takes the pod out of rotation.
    await expect.poll(async () => (await fetch(`${base}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'under pressure' });
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'shed-1' }, body: '{"query":"{ __typename }"}' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('x-request-id')).toBe('shed-1');
    expect(await res.json()).toEqual({ errors: [{ message: 'the service is overloaded; retry', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } }] });
    // Liveness is not load: a busy process must not be restarted for being busy.
    const live = await fetch(`${base}/healthz`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    await expect.poll(() => svc.logs().filter((l) => l.msg === 'under pressure: shedding requests')).toEqual([expect.objectContaining({ level: 40, type: 'heapUsedBytes', heapUsed: expect.any(Number), shed: 1 })]);
  });
});
