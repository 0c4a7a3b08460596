import type { Fetcher, FetcherHeaders, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../src/server/keep.alive.js';

/**
 * How long the gateway keeps an idle connection to a subgraph: below the subgraph's own keep-alive timeout, so the
 * gateway closes an idle socket before the subgraph does and never reuses one the subgraph is closing (a reset,
 * during a rolling restart too). With a timeout set, Node's agent also honours a shorter `Keep-Alive: timeout=`
 * a server announces (less a second): the dev Tickets subgraph's 5 s.
 */
export const GATEWAY_IDLE_MS = KEEP_ALIVE_TIMEOUT_MS - 12_000;

// One keep-alive pool for every subgraph call of this gateway.
const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: GATEWAY_IDLE_MS });

/**
 * A minimal fetch for subgraph calls over plain HTTP on node:http. The gateway's default
 * (make-fetch-happen via agent-base) builds an Error stack on every call to guess the protocol, and
 * Node's fetch (undici) costs about as much again in web-stream plumbing; either one would make this
 * stand-in gateway, not the subgraphs, the thing the benchmark measures (bench/README.md).
 */
export const httpFetcher: Fetcher = (url, init = {}) =>
  new Promise<FetcherResponse>((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const status = res.statusCode ?? 0;
        const headers = new ResponseHeaders(res.headers);
        const response: FetcherResponse = {
          bodyUsed: false,
          url,
          redirected: false,
          status,
          ok: status >= 200 && status < 300,
          statusText: res.statusMessage ?? '',
          headers,
          text: async () => body.toString('utf8'),
          json: async () => JSON.parse(body.toString('utf8')),
          arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
          clone: () => response,
        };
        resolve(response);
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });

/** Response headers as the gateway reads them (content-type, cache-control), without a WHATWG Headers per call. */
class ResponseHeaders implements FetcherHeaders {
  private readonly map = new Map<string, string>();
  constructor(raw: IncomingHttpHeaders) {
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) this.map.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  get(name: string) {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string) {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string) {
    this.map.set(name.toLowerCase(), value);
  }
  append(name: string, value: string) {
    const k = name.toLowerCase();
    const old = this.map.get(k);
    this.map.set(k, old === undefined ? value : `${old}, ${value}`);
  }
  delete(name: string) {
    this.map.delete(name.toLowerCase());
  }
  entries() {
    return this.map.entries();
  }
  keys() {
    return this.map.keys();
  }
  values() {
    return this.map.values();
  }
  [Symbol.iterator]() {
    return this.map.entries();
  }
}
