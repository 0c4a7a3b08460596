// A real HTTP receiver for webhook tests, verifying signatures with its own Standard Webhooks implementation
// (HMAC-SHA256 over "id.timestamp.body" with the secret's base64-decoded bytes, written from the spec with
// node:crypto, independently of the `standardwebhooks` package the service signs with).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** True when any `v1,<sig>` of the header is the HMAC of this message under `secret` (spec: any one may match). */
export function verifyStandardWebhook(secret: string, headers: IncomingMessage['headers'], body: string): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  // The spec's replay guard: a receiver refuses timestamps more than 5 minutes off.
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface Received {
  id: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  /** Which secrets verified this request's signature (by index in `secrets`). */
  verifiedWith: number[];
  status: number;
}

/** A status now, no answer at all, or a status after a delay (a slow receiver). */
export type ReceiverAction = number | 'hang' | { status: number; afterMs: number };

export interface Receiver {
  url: string;
  received: Received[];
  /** The secrets to verify with (set them once they are known). */
  secrets: string[];
  /** How to answer the n-th request (1-based) of this event id; default 200. */
  plan: (request: Received, nth: number) => ReceiverAction;
  /** Resolves once `predicate(received)` holds; rejects after `timeoutMs`. */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  const receiver: Receiver = {
    url: '',
    received: [],
    secrets: [],
    plan: () => 200,
    waitFor(predicate, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(receiver.received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: condition not met within ${timeoutMs} ms; got ${receiver.received.length} requests`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(req.headers['webhook-id']);
    const r: Received = {
      id,
      headers: req.headers,
      body,
      json: JSON.parse(body),
      verifiedWith: receiver.secrets.flatMap((s, i) => (verifyStandardWebhook(s, req.headers, body) ? [i] : [])),
      status: 0,
    };
    const nth = receiver.received.filter((x) => x.id === id).length + 1;
    const action = receiver.plan(r, nth);
    r.status = action === 'hang' ? 0 : typeof action === 'number' ? action : action.status;
    receiver.received.push(r);
    for (const w of [...waiters]) w();
    if (action === 'hang') {
      hanging.add(res);
      return;
    }
    if (typeof action !== 'number') {
      hanging.add(res);
      await new Promise((resolve) => setTimeout(resolve, action.afterMs));
      hanging.delete(res);
      if (res.destroyed) return;
    }
    res.writeHead(r.status, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
}
