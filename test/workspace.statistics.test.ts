// A workspace that had no ratings when PostgreSQL took its statistics is read by key, not whole. With the default
// statistics target a deployment of up to 100 workspaces has all of them among workspace_id's most common values,
// which then cover every row: a new workspace is estimated at one row, and a lookup by the full key takes an index
// that finds the workspace alone (Migration20261207080000; docs/scale.md, Statistics). Here 20 workspaces have
// ratings when the statistics are taken, a 21st gets 5,000 afterwards, autovacuum is off on csat_rating so nothing
// takes them again, and the service's own statements run unnamed (planned for their values: DB_PREPARED_STATEMENTS=off,
// a connection's first five runs of a named one, the insights). What is counted: csat_rating's blocks (PostgreSQL's
// counters).
// The insights' filter brings type-graphql's types, which need the metadata polyfill loaded first.
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { countRatings } from '../src/insights/ratings.query.js';
import { normaliseFilter } from '../src/insights/insights.filter.js';
import { STORED_SQL } from '../src/rating/rate.statement.js';
import { batchStatement } from '../src/rating/rating.repository.js';
import { openCountedDatabase, type CountedDatabase } from './helpers/block.counter.js';

const OLD_WORKSPACES = 20;
const PER_OLD_WORKSPACE = 100;
const NEW_RATINGS = 5000;

let counted: CountedDatabase<unknown>;
const fresh = { workspace: randomUUID(), tickets: [] as string[] };

async function seedWorkspace(workspace: string, n: number): Promise<void> {
  await counted.reader.query(
    `insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_at, rated_by, assignee_id)
     select $1, gen_random_uuid(), 1 + g % 5, case when g % 3 = 0 then 'a comment' end, now() - g * interval '1 hour', gen_random_uuid(), null
       from generate_series(1, $2::int) g`,
    [workspace, n],
  );
}

const blocksTouched = (run: () => Promise<unknown>) => counted.blocksTouched(['csat_rating'], run);

beforeAll(async () => {
  counted = await openCountedDatabase(`csat_test_workspace_stats_${process.pid}`, inject('databaseUrl'), ['csat_rating']);
  for (let i = 0; i < OLD_WORKSPACES; i++) await seedWorkspace(randomUUID(), PER_OLD_WORKSPACE);
  await counted.reader.query(`analyze csat_rating`);
  await seedWorkspace(fresh.workspace, NEW_RATINGS);
  fresh.tickets = (await counted.reader.query(`select ticket_id from csat_rating where workspace_id = $1 order by ticket_id`, [fresh.workspace])).rows.map((r) => r.ticket_id);
}, 120_000);

afterAll(async () => {
  await counted?.close();
});

describe('statistics on workspace_id', () => {
  it('every table of ours with many rows per workspace keeps at most one most common workspace (or none)', async () => {
    // Tables whose workspace_id is not their whole key, each with its target: 0 (webhook tables) or 1 (the others).
    const { rows } = await counted.reader.query<{ table: string; target: number }>(
      `select c.relname as table, a.attstattarget as target
         from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid and a.attname = 'workspace_id'
        where n.nspname = 'public' and c.relkind = 'r' and c.relname like 'csat\\_%'
          and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisunique and i.indnatts = 1 and i.indkey[0] = a.attnum)
        order by 1`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(18);
    expect(rows.filter((r) => r.target !== 0 && r.target !== 1).map((r) => `${r.table}: ${r.target}`)).toEqual([]);
    // What the planner was given for csat_rating: one most common workspace at most, though all 20 were sampled.
    const stats = await counted.reader.query<{ mcv: number; distinct: number }>(
      `select coalesce(array_length(most_common_freqs, 1), 0) as mcv, n_distinct as distinct from pg_stats where tablename = 'csat_rating' and attname = 'workspace_id'`,
    );
    expect(stats.rows[0]).toEqual({ mcv: expect.any(Number), distinct: OLD_WORKSPACES });
    expect(stats.rows[0]!.mcv).toBeLessThanOrEqual(1);
  });

  it("an agent's `_entities` page of 50 tickets reads their keys, not the workspace", async () => {
    const ids = fresh.tickets.filter((_, i) => i % 100 === 7);
    expect(ids).toHaveLength(50);
    const statement = batchStatement({ sub: randomUUID(), role: 'agent', workspace: fresh.workspace }, ids)!;
    let rows: { id: string }[] = [];
    const blocks = await blocksTouched(async () => (rows = (await counted.session.query(statement.text, statement.values)).rows));
    expect(rows.map((r) => r.id).sort()).toEqual(ids);
    // 50 key lookups: 121 blocks here. Before Migration20261207080000, the workspace read whole: 827.
    expect(blocks).toBeGreaterThan(0);
    expect(blocks).toBeLessThanOrEqual(300);
  });

  it('one ticket by its key reads a few blocks', async () => {
    const ticket = fresh.tickets[NEW_RATINGS / 2]!;
    let rows: unknown[] = [];
    const blocks = await blocksTouched(async () => (rows = (await counted.session.query(STORED_SQL, [fresh.workspace, ticket])).rows));
    expect(rows).toHaveLength(1);
    // 3 here; 79 before (the workspace's range of another index, searched for the ticket).
    expect(blocks).toBeLessThanOrEqual(10);
  });

  it("the insights' count of one star reads that star's ratings, not the workspace", async () => {
    const em = { getKysely: () => counted.db } as unknown as EntityManager;
    let n = 0;
    const blocks = await blocksTouched(async () => (n = await countRatings(em, fresh.workspace, normaliseFilter({ ratings: [4] }))));
    expect(n).toBe(NEW_RATINGS / 5);
    // The 1,000 ratings' index range and heap pages: 89 here; 818 before (the whole workspace, through another index).
    expect(blocks).toBeLessThanOrEqual(300);
  });
});
