// A small round-robin HTTP load balancer for tests, in front of several subgraph processes: what a Kubernetes
// Service or a cloud balancer does, no more. It health-checks each backend's /readyz (every `checkMs`, out of
// rotation after two failed checks in a row, back after one good one, as balancers count) and sends only to ready
// ones, and it keeps kept-alive connections to each backend. Retries, as production balancers make them:
// - a connection refused or that could not be opened: nothing was sent, any request may go to the next backend;
// - a request written to a *reused* kept-alive connection that the backend closed before answering one byte
//   (the keep-alive race: the backend closed it as idle while the request was on its way): only when the request
//   is safe to repeat, which this proxy cannot know for a POST, so only when `retryable(request)` says so.
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GATEWAY_IDLE_MS } from '../../dev/gateway/http.fetcher.js';

export interface ProxyStats {
  requests: number;
  /** Sent again to another backend, by reason. */
  retried: Record<string, number>;
  /** Answered 502 to the caller: no backend could answer; by the last error (code, and whether on a reused connection). */
  failed: number;
  failedBy: Record<string, number>;
}

export interface RoundRobinProxy {
  url: string;
  stats: ProxyStats;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Base URLs (http://127.0.0.1:port) of the backends. */
  backends: string[];
  /** A request (method, headers, body) that may be sent twice: repeated after a reset on a reused connection. */
  retryable?: (req: IncomingMessage, body: Buffer) => boolean;
  /** Health check interval; default 500 ms (so a draining backend leaves the rotation 0.5-1.5 s after its /readyz turns 503). */
  checkMs?: number;
}

type Attempt = { status: number; headers: IncomingMessage['headers']; body: Buffer } | { error: NodeJS.ErrnoException; reused: boolean };

export async function startRoundRobinProxy(opts: ProxyOptions): Promise<RoundRobinProxy> {
  // Idle connections to the backends closed before the subgraph closes them (its keep-alive timeout), as the gateway's.
  const agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: GATEWAY_IDLE_MS });
  const ready = new Map(opts.backends.map((b) => [b, false]));
  const stats: ProxyStats = { requests: 0, retried: {}, failed: 0, failedBy: {} };
  let closed = false;

  // Health checks on connections of their own, as a balancer's are.
  const check = async (backend: string) => {
    let failures = 0;
    while (!closed) {
      const ok = await fetch(`${backend}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
      failures = ok ? 0 : failures + 1;
      if (ok) ready.set(backend, true);
      else if (failures >= 2) ready.set(backend, false);
      await new Promise((r) => setTimeout(r, opts.checkMs ?? 500));
    }
  };
  const checks = opts.backends.map(check);

  let next = 0;
  const pick = (exclude: Set<string>): string | undefined => {
    const n = opts.backends.length;
    for (let i = 0; i < n; i++) {
      const b = opts.backends[(next + i) % n]!;
      if (ready.get(b) && !exclude.has(b)) {
        next = (next + i + 1) % n;
        return b;
      }
    }
    return undefined;
  };

  const forward = (backend: string, req: IncomingMessage, body: Buffer) =>
    new Promise<Attempt>((resolve) => {
      let reused = false;
      const out = request(`${backend}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(backend).host, connection: 'keep-alive' }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (error) => resolve({ error, reused }));
      });
      out.on('socket', (s) => {
        // A socket that already carried a request: its close may have crossed this request on the wire.
        reused = (s as unknown as { _httpMessage?: unknown; csatUsed?: boolean }).csatUsed === true;
        (s as unknown as { csatUsed?: boolean }).csatUsed = true;
      });
      out.on('error', (error: NodeJS.ErrnoException) => resolve({ error, reused }));
      out.end(body);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      stats.requests++;
      const body = Buffer.concat(chunks);
      const tried = new Set<string>();
      let last = 'no ready backend';
      for (let attempt = 0; attempt < 6; attempt++) {
        const backend = pick(tried) ?? pick(new Set());
        if (!backend) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
        const result = await forward(backend, req, body);
        if ('status' in result) {
          const { connection: _c, 'keep-alive': _k, 'transfer-encoding': _t, ...headers } = result.headers;
          res.writeHead(result.status, headers).end(result.body);
          return;
        }
        tried.add(backend);
        const code = result.error.code ?? result.error.message;
        last = `${code}${result.reused ? ' on a reused connection' : ' on a new connection'}`;
        const notSent = code === 'ECONNREFUSED';
        if (notSent || (result.reused && opts.retryable?.(req, body))) {
          const reason = notSent ? 'refused' : `reset on a reused connection (${code})`;
          stats.retried[reason] = (stats.retried[reason] ?? 0) + 1;
          continue;
        }
        break;
      }
      stats.failed++;
      stats.failedBy[last] = (stats.failedBy[last] ?? 0) + 1;
      res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'bad gateway', extensions: { code: 'BAD_GATEWAY' } }] }));
    });
  });
  // A balancer keeps its clients' idle connections far longer than Node's 5 s default (60 s and more): else it
  // closes the gateway's kept-alive sockets while the gateway reuses them, a reset this test is not about.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stats,
    async close() {
      closed = true;
      await Promise.all(checks);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      agent.destroy();
    },
  };
}
