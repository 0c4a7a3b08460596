// `npm run bench:rollups`: what the insights rollup triggers cost (docs/insights.md, Rollups), the per-row ones
// of Migration20261202000000 against the set-based ones of Migration20261206200000, in the same run.
//   1. A bulk `insert … select` of --rows ratings (default 50,000; and a tenth of it) into one workspace.
//   2. csat_rate (rateTicket's one statement) straight through pg, --connections connections for --duration s,
//      on fresh resolved tickets of one workspace and one agent (every rating hits the same bucket rows: the
//      worst case), alternating --rounds times: per-row triggers, set-based, set-based without the month locks.
//   3. rollups:check and rollups:rebuild over the bulk workspace.
//   4. The upgrade of a first-release database (ratings only) holding --rows ratings over 200 workspaces and
//      24 months: migrate() to the latest, its backfill included, as a start runs it.
// Each variant has a throwaway database of its own on DATABASE_URL's server (or an embedded one). Prints
// figures, asserts nothing. --skip-before leaves out the per-row triggers' bulk insert (minutes at 50,000).
import { MikroORM } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../dev/throwaway.database.js';
import { migrations as migrationsList } from '../migrations/index.js';
import { migrate, openDatabase } from '../src/schema.database.js';
import { ormConfig } from '../src/db/orm.config.js';
import { SCHEMA } from '../src/schema.entities.js';
import { checkRollups } from '../src/insights/rollup.check.js';
import { rebuildWorkspace } from '../src/insights/rollup.rebuild.js';
import { pgSession } from '../src/insights/rollup.session.js';
import { RATE_SQL } from '../src/rating/rate.statement.js';
import { installQueueSchema } from '../src/webhooks/queue.schema.js';
import { postgresCpuBetween, postgresCpuSnapshot } from './bench.process.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '50000' },
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'skip-before': { type: 'boolean', default: false },
    only: { type: 'string', default: '1,2,3,4' },
  },
});
const ROWS = Number(values.rows);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const ROUNDS = Number(values.rounds);
const OLD_TRIGGERS = 'Migration20261202100100_csat_webhooks';

interface Variant {
  name: string;
  db: ThrowawayDatabase;
  pool: pg.Pool;
}
const variants: Variant[] = [];

const want = (step: number) => values.only.split(',').includes(String(step));

/** A database with this checkout's migrations up to `to` (all when undefined), the dev ticket relation and the job queue. */
async function database(name: string, to?: string): Promise<Variant['db']> {
  const db = await createThrowawayDatabase(`csat_bench_rollups_${name}`, { serverUrl: process.env.DATABASE_URL, prepare: false });
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(readFileSync('dev/ticket.schema.sql', 'utf8'));
  await admin.end();
  if (to) {
    // An earlier release's schema, without the snapshot (MikroORM would write that release's into the checkout's).
    const config = ormConfig({ databaseUrl: db.url, schema: SCHEMA });
    const orm = await MikroORM.init({ ...config, migrations: { ...config.migrations, snapshot: false } });
    await orm.migrator.up({ to }).finally(() => orm.close());
    await installQueueSchema(db.url);
    return db;
  }
  const opened = await openDatabase(db.url, pino({ level: 'silent' }));
  await migrate(opened.orm).finally(() => opened.close());
  return db;
}

/** The set-based triggers without their advisory locks: what the month locks themselves cost. */
async function dropLocks(pool: pg.Pool) {
  for (const fn of ['csat_rating_rollup_rows', 'csat_offer_rollup_rows']) {
    const { rows } = await pool.query<{ def: string }>(`select pg_get_functiondef($1::regproc) as def`, [fn]);
    await pool.query(rows[0]!.def.replaceAll('perform pg_advisory_xact_lock_shared(k);', 'null;'));
  }
}

/** `n` closed tickets of one workspace (7 agents and none), then their ratings over 3 months in one statement: ms. */
async function bulk(pool: pg.Pool, n: number): Promise<{ ws: string; ms: number }> {
  const ws = randomUUID();
  await pool.query(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
     select $1, 'K-' || g, 'bulk', 'closed', gen_random_uuid(), case when g % 11 = 0 then null else ('00000000-0000-4000-8c00-' || lpad(to_hex(g % 7), 12, '0'))::uuid end
       from generate_series(1, $2::int) g`,
    [ws, n],
  );
  const started = performance.now();
  await pool.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
     select workspace_id, id, 1 + (hashtext(id::text) & 3) + (hashtext(ref) & 1), case when hashtext(ref) % 3 = 0 then 'bulk ' || ref end,
            '2026-11-15T00:00:00Z'::timestamptz - (hashtext(id::text || 'at') & 2147483647) % (90 * 86400) * interval '1 second', requester_id, assignee_id
       from ticket where workspace_id = $1`,
    [ws],
  );
  return { ws, ms: performance.now() - started };
}

/** Fresh resolved tickets for csat_rate, one workspace, one agent, one customer. */
async function freshTickets(pool: pg.Pool, n: number) {
  const ws = randomUUID();
  const customer = randomUUID();
  const { rows } = await pool.query<{ id: string }>(
    `insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
     select $1, 'F-' || g, 'fresh', 'resolved', $2, $3 from generate_series(1, $4::int) g returning id`,
    [ws, customer, randomUUID(), n],
  );
  await pool.query('analyze');
  return { ws, customer, ids: rows.map((r) => r.id) };
}

/** csat_rate on CONNECTIONS connections for DURATION s: ratings per second and PostgreSQL CPU ms per rating. */
async function rateLoad(v: Variant, tickets: { ws: string; customer: string; ids: string[] }, next: { i: number }) {
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => v.pool.connect()));
  const cpuBefore = postgresCpuSnapshot();
  const end = performance.now() + DURATION * 1000;
  let done = 0;
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < end) {
        const id = tickets.ids[next.i++ % tickets.ids.length]!;
        await c.query({ name: 'csat_rate', text: RATE_SQL, values: [id, 1 + (next.i % 5), 'bench', tickets.customer, tickets.ws, ['resolved', 'closed'], 'PORTAL'] });
        done++;
      }
    }),
  );
  const cpu = postgresCpuBetween(cpuBefore, postgresCpuSnapshot());
  for (const c of clients) c.release();
  if (next.i > tickets.ids.length) console.warn(`note: ${v.name} ran out of fresh tickets`);
  return { perSecond: done / DURATION, cpuMs: (cpu * 1000) / done };
}

async function main() {
  console.log(`databases: per-row triggers (migrations up to ${OLD_TRIGGERS}), set-based, set-based without the month locks`);
  for (const [name, to] of [['per-row triggers', OLD_TRIGGERS], ['set-based', undefined], ['set-based, no month locks', undefined]] as const) {
    const db = await database(name.replace(/[^a-z]+/g, '_'), to);
    variants.push({ name, db, pool: new pg.Pool({ connectionString: db.url, max: CONNECTIONS + 2 }) });
  }
  await dropLocks(variants[2]!.pool);
  const [before, after] = variants as [Variant, Variant, Variant];

  if (want(1)) {
    console.log('\n1. bulk insert … select of ratings into one workspace (7 agents and none, 3 months), one statement:');
    for (const n of [ROWS / 10, ROWS]) {
      for (const v of [after, ...(values['skip-before'] ? [] : [before])]) {
        const { ms } = await bulk(v.pool, n);
        console.log(`  ${v.name}: ${n} ratings in ${(ms / 1000).toFixed(2)} s`);
      }
    }
  }

  if (want(2)) {
    console.log(`\n2. csat_rate through pg, ${CONNECTIONS} connections, ${DURATION} s per run, one agent (the worst case), ${ROUNDS} rounds alternating:`);
    const fresh = await Promise.all(variants.map((v) => freshTickets(v.pool, 120_000)));
    const cursors = variants.map(() => ({ i: 0 }));
    const samples = variants.map(() => [] as { perSecond: number; cpuMs: number }[]);
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [2, 1, 0] : [0, 1, 2];
      for (const i of order) samples[i]!.push(await rateLoad(variants[i]!, fresh[i]!, cursors[i]!));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    console.log('| triggers | ratings/s (median) | per round | PostgreSQL CPU ms per rating (median) |');
    console.log('| --- | ---: | --- | ---: |');
    variants.forEach((v, i) => {
      const xs = samples[i]!;
      console.log(`| ${v.name} | ${median(xs.map((x) => x.perSecond)).toFixed(0)} | ${xs.map((x) => x.perSecond.toFixed(0)).join(', ')} | ${median(xs.map((x) => x.cpuMs)).toFixed(3)} |`);
    });
  }

  if (want(3)) {
    console.log('\n3. rollups:check and rollups:rebuild of one workspace just bulk-loaded (set-based database; statistics not yet updated):');
    const { ws } = await bulk(after.pool, ROWS);
    let started = performance.now();
    const check = await checkRollups(pgSession(after.pool), ws);
    console.log(`  check: ${(performance.now() - started).toFixed(0)} ms for ${check.totals.ratings} ratings, ${check.differences.length} differences`);
    started = performance.now();
    const rebuilt = await rebuildWorkspace(pgSession(after.pool), ws);
    console.log(`  rebuild: ${rebuilt.months} months in ${(performance.now() - started).toFixed(0)} ms (${(rebuilt.ms / rebuilt.months).toFixed(0)} ms per month on average: how long a month lock is held exclusively)`);
  }

  if (want(4)) {
    const WORKSPACES = 200;
    console.log(`\n4. upgrade of a first-release database: ${ROWS} ratings over ${WORKSPACES} workspaces and 24 months (no offers, no rollups), migrate() to the latest:`);
    const db = await database('upgrade', migrationsList[0]!.name);
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    variants.push({ name: 'upgrade', db, pool });
    await pool.query(
      `with t as (
         insert into ticket (workspace_id, ref, subject, status, requester_id, assignee_id)
         select ('00000000-0000-4000-8d00-' || lpad(to_hex(g % $2), 12, '0'))::uuid, 'U-' || g, 'upgrade', 'closed', gen_random_uuid(),
                case when g % 9 = 0 then null else ('00000000-0000-4000-8c00-' || lpad(to_hex(g % 13), 12, '0'))::uuid end
           from generate_series(1, $1::int) g returning *)
       insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
       select workspace_id, id, 1 + (hashtext(id::text) & 3), case when hashtext(ref) % 3 = 0 then 'c' end,
              '2026-11-15T00:00:00Z'::timestamptz - (hashtext(id::text || 'at') & 2147483647) % (730 * 86400) * interval '1 second', requester_id, assignee_id from t`,
      [ROWS, WORKSPACES],
    );
    await pool.query('analyze');
    const opened = await openDatabase(db.url, pino({ level: 'silent' }));
    const started = performance.now();
    await migrate(opened.orm).finally(() => opened.close());
    const ms = performance.now() - started;
    const check = await checkRollups(pgSession(pool));
    console.log(`  migrate(): ${(ms / 1000).toFixed(1)} s (the triggers swapped, ${check.totals.offers} offers recorded, ${check.totals.rollupRows} rollup rows written); rollups:check: ${check.differences.length + check.offerGaps.length} differences`);
  }
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const v of variants) {
      await v.pool.end();
      await v.db.drop();
    }
  });
