import type { Fetcher, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request } from 'node:http';

// One keep-alive pool for every subgraph call of this gateway.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/**
 * A minimal fetch for subgraph calls over plain HTTP on node:http. The gateway's default
 * (make-fetch-happen via agent-base) builds an Error stack on every call to guess the protocol, and
 * Node's fetch (undici) costs about as much again in web-stream plumbing; either one would make this
 * stand-in gateway, not the subgraphs, the thing the benchmark measures (README, Benchmark).
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
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
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
