// `npm run bench:storage` — disk per million ratings, for docs/scale.md: a throwaway database filled through the
// tables' own triggers (the rollups are maintained as in production), then each relation's size with its indexes
// and TOAST (pg_total_relation_size) after VACUUM, divided per rating and scaled to 1,000,000. Shape: --workspaces
// W (default 100) with 20 agents each, ratings over 365 days, every rating with its (rated) offer and a third more
// offers never rated, 40 % with a comment of 20-200 characters. Options: --ratings N (default 200000).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createThrowawayDatabase } from '../dev/throwaway.database.js';

const { values } = parseArgs({ options: { ratings: { type: 'string', default: '200000' }, workspaces: { type: 'string', default: '100' } } });
const N = Number(values.ratings);
const W = Number(values.workspaces);

const db = await createThrowawayDatabase(`csat_bench_storage_${process.pid}`, { serverUrl: process.env.DATABASE_URL });
try {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  const workspaces = Array.from({ length: W }, () => randomUUID());
  const t0 = Date.now();
  // Offers: N rated + N/3 never rated; each workspace's 20 agents; spread over the last 365 days.
  await pool.query(
    `insert into csat_offer (workspace_id, ticket_id, offered_at, assignee_id, rated)
     select ($1::uuid[])[1 + g % $3], gen_random_uuid(), now() - make_interval(days => abs(hashtext('d' || g)) % 365, secs => g % 86400),
            md5(((g % $3) * 20 + abs(hashtext('a' || g)) % 20)::text)::uuid, g <= $2
       from generate_series(1, $2 + $2 / 3) g`,
    [workspaces, N, W],
  );
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
     select workspace_id, ticket_id, 1 + (hashtext(ticket_id::text) & 4) % 5,
            case when hashtext(ticket_id::text) % 5 < 2 then repeat('x', 20 + abs(hashtext(ticket_id::text)) % 180) end,
            offered_at + interval '1 hour', gen_random_uuid(), assignee_id
       from csat_offer where rated`,
  );
  await pool.query('vacuum analyze');
  const { rows } = await pool.query<{ relname: string; rows: string; bytes: string }>(
    `select c.relname, c.reltuples::bigint as rows, pg_total_relation_size(c.oid) as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' and c.relname like 'csat\\_%' and c.relname <> 'csat_migrations'
        and pg_total_relation_size(c.oid) > 16384
      order by bytes desc`,
  );
  await pool.end();
  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
  const perMillion = (bytes: number) => (bytes * 1_000_000) / N;
  console.log(`${N} ratings (+${Math.floor(N / 3)} unrated offers) in ${W} workspaces x 20 agents over 365 days, filled in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log('| relation (with its indexes and TOAST) | rows | MiB here | MiB per 1,000,000 ratings |');
  console.log('| --- | ---: | ---: | ---: |');
  let total = 0;
  for (const r of rows) {
    total += Number(r.bytes);
    console.log(`| ${r.relname} | ${r.rows} | ${mb(Number(r.bytes))} | ${mb(perMillion(Number(r.bytes)))} |`);
  }
  console.log(`| **total** | | ${mb(total)} | **${mb(perMillion(total))}** |`);
} finally {
  await db.drop();
}
