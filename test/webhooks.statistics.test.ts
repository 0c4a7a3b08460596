// The webhook worker's statements read one delivery's rows whatever PostgreSQL's statistics say. Statistics taken
// while a workspace had no deliveries leave it out of workspace_id's most common values, which then cover every
// row: the planner estimates it at one row, every index leading with workspace_id costs the same as the primary
// key, and on that tie PostgreSQL may take one that finds the workspace alone, reading all its deliveries and
// events for each job (issue 19: the worker drained 5,500 deliveries in 26 s instead of 9). So here 20 workspaces
// have deliveries when the statistics are taken, a 21st gets 3,000 afterwards, and autovacuum is off on these
// tables so that nothing takes them again. What is counted: the blocks of the webhook tables and their indexes
// each statement touches (PostgreSQL's own counters), foreign-key checks included.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDelivery, RECORD_SQL } from '../src/webhooks/delivery/delivery.store.js';
import type { WebhookDB } from '../src/webhooks/webhook.db.js';
import { openCountedDatabase, type CountedDatabase } from './helpers/block.counter.js';

const TABLES = ['csat_webhook', 'csat_event', 'csat_delivery', 'csat_delivery_attempt'];
const OLD_WORKSPACES = 20;
const PER_OLD_WORKSPACE = 100;
const NEW_DELIVERIES = 3000;
/** One delivery, its event, endpoint and attempts: a few index descents and heap pages, not a workspace's. */
const MAX_BLOCKS = 40;

let counted: CountedDatabase<WebhookDB>;
const fresh = { workspace: randomUUID(), webhook: '', deliveries: [] as { id: string; event_id: string }[] };

/** Webhook, events and deliveries of one workspace, `n` of each, the deliveries pending. */
async function seedWorkspace(workspace: string, n: number): Promise<string> {
  const { rows } = await counted.reader.query<{ id: string }>(
    `insert into csat_webhook (workspace_id, url, events, secret) values ($1, 'http://127.0.0.1:9/hook', '{csat.rating.created}', 'whsec_dGVzdA==') returning id`,
    [workspace],
  );
  await counted.reader.query(
    `with e as (insert into csat_event (workspace_id, type, payload)
                select $1, 'csat.rating.created', jsonb_build_object('n', g, 'comment', repeat('x', 200)) from generate_series(1, $3::int) g
                returning workspace_id, id)
     insert into csat_delivery (workspace_id, event_id, webhook_id) select workspace_id, id, $2 from e`,
    [workspace, rows[0]!.id, n],
  );
  return rows[0]!.id;
}

const blocksTouched = (run: () => Promise<unknown>) => counted.blocksTouched(TABLES, run);

beforeAll(async () => {
  counted = await openCountedDatabase(`csat_test_webhook_stats_${process.pid}`, inject('databaseUrl'), TABLES);
  for (let i = 0; i < OLD_WORKSPACES; i++) await seedWorkspace(randomUUID(), PER_OLD_WORKSPACE);
  await counted.reader.query(`analyze ${TABLES.join(', ')}`);
  fresh.webhook = await seedWorkspace(fresh.workspace, NEW_DELIVERIES);
  fresh.deliveries = (await counted.reader.query(`select id, event_id from csat_delivery where workspace_id = $1 order by id`, [fresh.workspace])).rows;
}, 120_000);

afterAll(async () => {
  await counted?.close();
});

describe('the worker on a workspace the statistics have not seen', () => {
  it('loads a delivery with its event and endpoint reading a few blocks, not the workspace', async () => {
    const target = fresh.deliveries[NEW_DELIVERIES / 2]!;
    let loaded: Awaited<ReturnType<typeof loadDelivery>>;
    const blocks = await blocksTouched(async () => (loaded = await loadDelivery(counted.db, target.id, fresh.workspace)));
    expect(loaded!).toMatchObject({ id: target.id, workspace_id: fresh.workspace, event_id: target.event_id, status: 'PENDING', url: 'http://127.0.0.1:9/hook', attempts: 0 });
    expect(blocks).toBeGreaterThan(0);
    expect(blocks).toBeLessThanOrEqual(MAX_BLOCKS);
  });

  it('records an attempt and settles the delivery reading a few blocks, its foreign-key checks included', async () => {
    const target = fresh.deliveries[NEW_DELIVERIES / 3]!;
    let status: string | undefined;
    // ok, attempt 1, 200 in 12 ms; retry delay and window irrelevant to a success.
    const values = [target.id, 1, 200, 12, null, true, 1000, 3_600_000, fresh.workspace];
    const blocks = await blocksTouched(async () => (status = (await counted.session.query(RECORD_SQL, values)).rows[0]?.status));
    expect(status).toBe('SUCCEEDED');
    const { rows } = await counted.reader.query(`select attempt, status_code from csat_delivery_attempt where workspace_id = $1 and delivery_id = $2`, [fresh.workspace, target.id]);
    expect(rows).toEqual([{ attempt: 1, status_code: 200 }]);
    expect(blocks).toBeLessThanOrEqual(MAX_BLOCKS);
  });
});
