// The dev gateway's connections to its subgraphs (dev/gateway/http.fetcher.ts): it closes an idle kept-alive
// connection before the subgraph does, so it never sends a request on a socket the subgraph is closing (a reset on a
// reused connection, which a gateway cannot safely repeat: docs/deploy.md, Shutdown, keep-alive timeouts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { GATEWAY_IDLE_MS, httpFetcher } from '../dev/gateway/http.fetcher.js';
import { KEEP_ALIVE_TIMEOUT_MS } from '../src/server/keep.alive.js';

const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":{}}'));
// A subgraph that closes idle connections after 2 s (and announces it: `Keep-Alive: timeout=2`).
server.keepAliveTimeout = 2000;
const opened: number[] = [];
server.on('connection', () => opened.push(Date.now()));
afterAll(() => new Promise((r) => server.close(r)));

describe('the dev gateway keeps idle subgraph connections shorter than the subgraph', () => {
  it('a connection idle for 1.5 s of a subgraph that closes at 2 s is not reused: the next call opens a new one', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const call = () => httpFetcher(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{__typename}"}' });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    expect(opened).toHaveLength(1); // kept alive between calls
    await new Promise((r) => setTimeout(r, 1500));
    // Without an idle timeout of its own the gateway reused it, half a second before the subgraph closed it.
    expect((await call()).status).toBe(200);
    expect(opened).toHaveLength(2);
  });

  it("the gateway's own idle timeout is below the service's keep-alive timeout", () => {
    expect(GATEWAY_IDLE_MS).toBeGreaterThan(0);
    expect(GATEWAY_IDLE_MS).toBeLessThan(KEEP_ALIVE_TIMEOUT_MS);
  });
});
