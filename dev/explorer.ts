// The GraphQL explorer of `npm start` (embedded database) and `npm run supergraph`: GraphiQL from npm (its
// UMD build with React's), served from node_modules, so it works offline; Apollo Sandbox, what the service's
// own /graphql shows a browser, loads from a CDN and is a blank page without the internet. Queries go to
// this server's /explorer/graphql, which forwards them to the endpoint: same origin, no CORS needed.
// Development only: started from dev/, never by the service in production.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface ExplorerOptions {
  /** Where queries go: the service's or the gateway's GraphQL URL. */
  endpoint: string;
  /** The headers editor's first content, e.g. a development token. */
  headers?: Record<string, string>;
  /** The editor's first query. */
  query?: string;
}

export const EXPLORER_PATH = '/explorer';
const MAX_BODY_BYTES = 1024 * 1024;

const require = createRequire(import.meta.url);
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
};
const assetCache = new Map<string, Promise<string>>();
const asset = (name: string) => {
  let text = assetCache.get(name);
  // By the package's folder: its "exports" do not list the UMD files.
  const { pkg, file } = ASSETS[name]!;
  if (!text) assetCache.set(name, (text = readFile(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file), 'utf8')));
  return text;
};

/** JSON inside a <script>: no `</script>` or `<!--` can end it early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function page(opts: ExplorerOptions): string {
  const settings = { query: opts.query ?? '', headers: JSON.stringify(opts.headers ?? {}, null, 2) };
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>GraphiQL · csat-subgraph</title>
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
  <link rel="stylesheet" href="${EXPLORER_PATH}/graphiql.css">
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${EXPLORER_PATH}/react.js"></script>
  <script src="${EXPLORER_PATH}/react-dom.js"></script>
  <script src="${EXPLORER_PATH}/graphiql.js"></script>
  <script>
    const settings = ${scriptJson(settings)};
    const fetcher = GraphiQL.createFetcher({ url: '${EXPLORER_PATH}/graphql' });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery: settings.query, headers: settings.headers, defaultEditorToolsVisibility: 'headers', shouldPersistHeaders: false }),
    );
  </script>
</body>
</html>
`;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Answers the explorer's requests (true), or leaves the request to the caller (false). */
export async function handleExplorer(req: IncomingMessage, res: ServerResponse, opts: ExplorerOptions): Promise<boolean> {
  const pathname = new URL(req.url ?? '/', 'http://explorer.invalid').pathname.replace(/\/$/, '');
  if (pathname !== EXPLORER_PATH && !pathname.startsWith(`${EXPLORER_PATH}/`)) return false;
  const send = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const name = pathname.slice(EXPLORER_PATH.length + 1);
  if (name === 'graphql' && req.method === 'POST') {
    const body = await readBody(req);
    if (body === undefined) return send(413, 'text/plain', 'request too large'), true;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    try {
      const answer = await fetch(opts.endpoint, { method: 'POST', headers, body });
      send(answer.status, answer.headers.get('content-type') ?? 'application/json', await answer.text());
    } catch (err) {
      send(502, 'application/json', JSON.stringify({ errors: [{ message: `the explorer could not reach ${opts.endpoint}: ${(err as Error).message}` }] }));
    }
    return true;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed'), true;
  if (name === '') return send(200, 'text/html; charset=utf-8', page(opts)), true;
  if (ASSETS[name]) return send(200, ASSETS[name].type, await asset(name)), true;
  send(404, 'text/plain', 'not found');
  return true;
}

export interface ExplorerServer {
  /** The explorer's page. */
  url: string;
  stop(): Promise<void>;
}

/** The explorer on a listener of its own (npm start: the service's own routes are the service's). */
export async function startExplorerServer(opts: ExplorerOptions & { host: string; port: number }): Promise<ExplorerServer> {
  const server: Server = createServer((req, res) => {
    handleExplorer(req, res, opts).then(
      (handled) => {
        if (handled) return;
        res.writeHead(302, { location: EXPLORER_PATH });
        res.end();
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host}:${port}${EXPLORER_PATH}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
