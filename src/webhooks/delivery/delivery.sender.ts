import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressRefusal, type HostLookup } from '../url.guard.js';

/** The bound: a receiver answers within 10 s or the attempt failed. */
export const DELIVERY_TIMEOUT_MS = 10_000;

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/**
 * The connection's own name resolution, refusing forbidden addresses: the address checked is the address
 * connected to, so a name that changes between the check and the connection (DNS rebinding) cannot slip by.
 */
function guardedLookup(lookup: HostLookup, allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname).then(
      (addresses) => {
        const refused = addresses.map((a) => addressRefusal(a.address, allowLoopback)).find((why) => why !== null);
        if (refused || !addresses.length) return callback(new Error(`refused: ${hostname} resolves to ${refused ?? 'nothing'}`), '', 4);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (err: Error) => callback(err as NodeJS.ErrnoException, '', 4),
    );
  };
}

/** One POST: no redirects followed (node's http never follows them), 2xx is delivered, anything else (or nothing within the timeout) is not. */
export function postOnce(url: URL, headers: Record<string, string>, body: string, opts: { lookup: HostLookup; allowLoopback: boolean; timeoutMs?: number }): Promise<SendResult> {
  const started = performance.now();
  const timeoutMs = opts.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  return new Promise((resolve) => {
    let settled = false;
    const done = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({ ok, statusCode, durationMs: Math.round(performance.now() - started), error: error ?? (ok ? null : `HTTP ${statusCode}`) });
    };
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup: guardedLookup(opts.lookup, opts.allowLoopback),
      agent: false,
    });
    const timer = setTimeout(() => {
      done(null, `no answer within ${timeoutMs} ms`);
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      // The status is the answer; the body is read and dropped so the connection closes cleanly.
      res.resume();
      res.on('end', () => done(res.statusCode ?? null, null));
      res.on('error', () => done(res.statusCode ?? null, null));
    });
    req.on('error', (err) => done(null, err.message.slice(0, 500)));
    req.end(body);
  });
}
