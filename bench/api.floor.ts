// The floor of the API benchmark: the least a server can do to answer the router's `_entities` request
// for CSAT fields: node:http, the same HS256 token check (jose), the same single SQL statement, JSON out.
// Benchmark code only; not product code.
import { jwtVerify } from 'jose';
import { createServer } from 'node:http';
import pg from 'pg';
import type { Viewer } from '../src/auth/viewer.js';
import { preparedName } from '../src/db/prepared.statements.js';
import { batchStatement } from '../src/rating/rating.repository.js';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const key = new TextEncoder().encode(process.env.AUTH_JWT_SECRET);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Row { id: string; workspace_id: string; requester_id?: string; status?: string; rating: number | null; comment: string | null; rated_at: string | null }

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const auth = req.headers.authorization ?? '';
      const { payload } = await jwtVerify(auth.slice(7), key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      // The bench names the variable `r`; a gateway names it `representations` (run (g)).
      const reps: { id: string }[] = body.variables.r ?? body.variables.representations;
      const ids = reps.map((r) => r.id).filter((id) => UUID.test(id));
      // The same prepared statement as the subgraph's, so the ratio measures the Node side, not the planner.
      const statement = batchStatement({ sub: payload.sub, role: payload.role, workspace: payload.workspace } as Viewer, ids);
      const { rows } = statement ? await pool.query<Row>({ name: preparedName(statement.text), ...statement }) : { rows: [] };
      const byId = new Map(rows.map((r) => [r.id, r]));
      const entities = reps.map(({ id }) => {
        const r = byId.get(id);
        const visible = r && r.workspace_id === payload.workspace && (payload.role !== 'customer' || r.requester_id === payload.sub);
        return visible
          ? { csatRating: r.rating, csatComment: r.comment, csatRatedAt: r.rated_at, csatCanRate: payload.role === 'customer' && r.rating === null && (r.status === 'resolved' || r.status === 'closed') }
          : { csatRating: null, csatComment: null, csatRatedAt: null, csatCanRate: false };
      });
      const text = JSON.stringify({ data: { _entities: entities } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    } catch (err) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: String(err) }] }));
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(JSON.stringify({ msg: 'floor listening', url: `http://127.0.0.1:${port}/graphql` }));
});
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => server.close(() => void pool.end().then(() => process.exit(0))));
