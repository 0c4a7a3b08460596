import { instantSql } from '../db/sql.helpers.js';

/** The event type on the wire, and the one value of CsatEventType today. */
export const RATING_CREATED = 'csat.rating.created';
/** The graphile-worker task that delivers one csat_delivery row. */
export const DELIVER_TASK = 'csat_deliver';

/** graphile-worker's job key of a delivery's retries and redeliveries: one of them queued per delivery (the first job has none). */
export const deliveryJobKey = (deliveryIdSql: string) => `'csat_delivery:' || ${deliveryIdSql}`;

/**
 * A delivery job's payload, from a row alias with `id` and `workspace_id`: the workspace rides along, so the
 * worker's statements name it (one shard under Citus: docs/scale.md). Jobs without it (queued by an older version)
 * still run (delivery.task.ts).
 */
export const deliveryJobPayload = (row: string) => `json_build_object('deliveryId', ${row}.id, 'workspaceId', ${row}.workspace_id)`;

/**
 * The CTEs csat_rate appends after its `ins` (the accepted rating) and its `s` (the workspace's settings):
 * the rating's event, one delivery per endpoint that wants it, and one graphile-worker job per delivery (one
 * add_jobs call for them all), in the rating's own statement and so its own transaction. Nothing runs when
 * nothing was inserted (the no-op, a refusal) or when no endpoint wants the event; the main query must
 * reference `jobs`.
 */
export const WEBHOOK_CTES = `hooks as ( -- webhooks: the endpoints that want this rating
     select w.id, ins.workspace_id from csat_webhook w join ins on w.workspace_id = ins.workspace_id
      where '${RATING_CREATED}' = any(w.events) and (not w.only_unhappy or ins.rating <= (select unhappy_max_rating from s))
   ), ev as ( -- webhooks: the event, only when some endpoint wants it
     insert into csat_event (workspace_id, type, payload)
     select ins.workspace_id, '${RATING_CREATED}', jsonb_build_object(
              'type', '${RATING_CREATED}',
              'timestamp', ${instantSql('ins.rated_at')},
              'data', jsonb_build_object(
                'workspaceId', ins.workspace_id, 'ticketId', ins.ticket_id, 'requesterId', t.requester_id, 'assigneeId', ins.assignee_id,
                'rating', ins.rating, 'comment', ins.comment, 'ratedAt', ${instantSql('ins.rated_at')},
                'unhappy', ins.rating <= (select unhappy_max_rating from s),
                'vocal', coalesce(char_length(ins.comment), 0) >= (select vocal_min_comment_length from s)))
       from ins join t on t.id = ins.ticket_id
      where exists (select 1 from hooks)
     returning id, workspace_id
   ), dl as ( -- webhooks: one delivery per endpoint
     insert into csat_delivery (workspace_id, event_id, webhook_id)
     select ev.workspace_id, ev.id, hooks.id from ev cross join hooks
     returning id, workspace_id
   ), jobs as ( -- webhooks: graphile-worker's own bulk enqueue, once for all the event's deliveries, in this transaction
     -- One add_jobs call, not one add_job per delivery: each call is plpgsql work and a NOTIFY. No job_key: a new
     -- delivery has no job to replace, and a keyed add_jobs looks the key up with a plan cached while the queue was
     -- short, a scan of the whole backlog once it is long (1.35 ms vs 0.06 ms per rating at 20,000 queued, docs/webhooks.md).
     select graphile_worker.add_jobs(array_agg(row('${DELIVER_TASK}', ${deliveryJobPayload('dl')}, null, null, null,
              null, null, null)::graphile_worker.job_spec)) as job
       from dl having count(*) > 0
   )`;
