// The webhook worker's statements on the webhook tables: each reads or writes one delivery's rows by their full
// keys, in one workspace (one shard, docs/scale.md). That they read no more than those rows whatever PostgreSQL's
// statistics say is Migration20261207070000's (workspace_id carries none) and test/webhooks.statistics.test.ts's.
import { sql, type Kysely } from 'kysely';
import { deliveryJobKey, deliveryJobPayload, DELIVER_TASK } from '../rating.event.sql.js';
import type { WebhookDB } from '../webhook.db.js';

/**
 * The job's delivery, in its workspace (every row it reads is that workspace's: one shard, docs/scale.md), with its
 * event and endpoint, built on the entities' Kysely schema (webhook.db.ts); the secret that still signs after a
 * rotation, and how many attempts were made. One statement.
 */
export function loadDelivery(db: Kysely<WebhookDB>, deliveryId: string, workspaceId: string) {
  return db
    .selectFrom('csat_delivery as d')
    .innerJoin('csat_event as e', (j) => j.onRef('e.workspace_id', '=', 'd.workspace_id').onRef('e.id', '=', 'd.event_id'))
    .innerJoin('csat_webhook as w', (j) => j.onRef('w.workspace_id', '=', 'd.workspace_id').onRef('w.id', '=', 'd.webhook_id'))
    .select([
      'd.id',
      'd.workspace_id',
      'd.status',
      'e.id as event_id',
      // jsonb: InferClassEntityDB maps only scalar properties (an object type reads as a relation), so named here.
      sql<unknown>`e.payload`.as('payload'),
      'w.url',
      'w.secret',
      sql<string | null>`case when w.previous_secret_expires_at > now() then w.previous_secret end`.as('previous_secret'),
      sql<number>`(select count(*) from csat_delivery_attempt a where a.workspace_id = d.workspace_id and a.delivery_id = d.id)::int`.as('attempts'),
    ])
    .where('d.workspace_id', '=', workspaceId)
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

/**
 * A job queued before its payload carried the workspace (an upgrade's backlog): the one statement by id alone, a
 * scan of csat_delivery since its key leads with workspace_id (Migration20261207050000).
 */
export async function workspaceOf(db: Kysely<WebhookDB>, deliveryId: string): Promise<string | undefined> {
  return (await db.selectFrom('csat_delivery').select('workspace_id').where('id', '=', deliveryId).executeTakeFirst())?.workspace_id;
}

export type LoadedDelivery = NonNullable<Awaited<ReturnType<typeof loadDelivery>>>;

/**
 * The attempt and its outcome in one statement: the attempt row, the delivery's new status, and (still
 * pending) the next job at its backoff time. Past the retry window a failure is final: FAILED. Hand-written on
 * purpose: its atomicity is the point (a retry through a fault finds the attempt stored and does nothing again),
 * and it calls graphile-worker's add_job, which neither MikroORM nor the typed schema describes.
 */
export const RECORD_SQL = `with a as ( -- a retry after a lost answer finds its attempt stored: nothing again
     insert into csat_delivery_attempt (workspace_id, delivery_id, attempt, status_code, duration_ms, error)
     values ($9::uuid, $1::uuid, $2::int, $3::int, $4::int, $5::text)
     on conflict (workspace_id, delivery_id, attempt) do nothing
     returning delivery_id
   ), d as (
     update csat_delivery
        set status = case when $6::boolean then 'SUCCEEDED'
                          when window_started_at + $8::int * interval '1 millisecond' < now() + $7::int * interval '1 millisecond' then 'FAILED'
                          else 'PENDING' end,
            next_attempt_at = case when $6::boolean or window_started_at + $8::int * interval '1 millisecond' < now() + $7::int * interval '1 millisecond' then null
                                   else now() + $7::int * interval '1 millisecond' end
      where workspace_id = $9::uuid and id = $1::uuid and status = 'PENDING' and exists (select 1 from a)
      returning id, workspace_id, status, next_attempt_at
   )
   select d.status,
          (select count(*) from (select graphile_worker.add_job('${DELIVER_TASK}', ${deliveryJobPayload('d')}, run_at => d.next_attempt_at,
                                  job_key => ${deliveryJobKey('d.id::text')}) where d.status = 'PENDING') j)::int as requeued
     from d`;

