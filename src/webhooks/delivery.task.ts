import type { Task } from 'graphile-worker';
import type pg from 'pg';
import type { WebhookConfig } from '../config/config.js';
import type { Logger } from '../server/logger.js';
import { retryDelayMs } from './delivery.backoff.js';
import { postOnce, type SendResult } from './delivery.sender.js';
import { signatureHeader } from './delivery.signer.js';
import { deliveryJobKey, DELIVER_TASK } from './rating.event.sql.js';
import { checkWebhookUrl, type HostLookup } from './url.guard.js';

const LOAD_SQL = `select d.id, d.status, e.id as event_id, e.payload, w.url, w.secret,
         case when w.previous_secret_expires_at > now() then w.previous_secret end as previous_secret,
         (select count(*) from csat_delivery_attempt a where a.delivery_id = d.id)::int as attempts
    from csat_delivery d
    join csat_event e on e.id = d.event_id
    join csat_webhook w on w.id = d.webhook_id
   where d.id = $1::uuid`;

/**
 * The attempt and its outcome in one statement: the attempt row, the delivery's new status, and (still
 * pending) the next job at its backoff time. Past the retry window a failure is final: FAILED.
 */
const RECORD_SQL = `with a as (
     insert into csat_delivery_attempt (delivery_id, attempt, status_code, duration_ms, error)
     values ($1::uuid, $2::int, $3::int, $4::int, $5::text)
   ), d as (
     update csat_delivery
        set status = case when $6::boolean then 'SUCCEEDED'
                          when window_started_at + $8::int * interval '1 millisecond' < now() + $7::int * interval '1 millisecond' then 'FAILED'
                          else 'PENDING' end,
            next_attempt_at = case when $6::boolean or window_started_at + $8::int * interval '1 millisecond' < now() + $7::int * interval '1 millisecond' then null
                                   else now() + $7::int * interval '1 millisecond' end
      where id = $1::uuid and status = 'PENDING'
      returning id, status, next_attempt_at
   )
   select d.status,
          (select count(*) from (select graphile_worker.add_job('${DELIVER_TASK}', json_build_object('deliveryId', d.id), run_at => d.next_attempt_at,
                                  job_key => ${deliveryJobKey('d.id::text')}) where d.status = 'PENDING') j)::int as requeued
     from d`;

interface LoadedDelivery {
  id: string;
  status: string;
  event_id: string;
  payload: unknown;
  url: string;
  secret: string;
  previous_secret: string | null;
  attempts: number;
}

export interface DeliveryDeps {
  pool: pg.Pool;
  config: WebhookConfig;
  lookup: HostLookup;
  logger: Logger;
}

/** Sends one delivery's event, signed; the URL is checked again first (DNS may have changed since it was saved). */
async function attempt(d: LoadedDelivery, deps: DeliveryDeps): Promise<SendResult> {
  const body = JSON.stringify(d.payload);
  let url: URL;
  try {
    url = await checkWebhookUrl(d.url, { allowLoopback: deps.config.allowLoopback, lookup: deps.lookup });
  } catch (err) {
    return { ok: false, statusCode: null, durationMs: 0, error: (err as Error).message };
  }
  const now = new Date();
  const secrets = d.previous_secret ? [d.secret, d.previous_secret] : [d.secret];
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'csat-subgraph-webhooks/1',
    // webhook-id is the event's id: the same on every retry, so a receiver can drop repeats.
    'webhook-id': d.event_id,
    'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
    'webhook-signature': signatureHeader(secrets, d.event_id, now, body),
  };
  return postOnce(url, headers, body, { lookup: deps.lookup, allowLoopback: deps.config.allowLoopback });
}

/** The graphile-worker task: one HTTP attempt per job; the retry is a new job at the backoff time (docs/webhooks.md). */
export function deliveryTask(deps: DeliveryDeps): Task {
  return async (payload) => {
    const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
    if (typeof deliveryId !== 'string') return;
    const { rows } = await deps.pool.query<LoadedDelivery>(LOAD_SQL, [deliveryId]);
    const d = rows[0];
    // Deleted endpoint (its deliveries went with it), or already settled by an earlier run: nothing to do.
    if (!d || d.status !== 'PENDING') return;
    const result = await attempt(d, deps);
    const number = d.attempts + 1;
    const delay = retryDelayMs(number, deps.config.retryBaseMs);
    const recorded = await deps.pool.query<{ status: string }>(RECORD_SQL, [
      d.id, number, result.statusCode, result.durationMs, result.error, result.ok, delay, deps.config.retryWindowMs,
    ]);
    deps.logger[result.ok ? 'debug' : 'info'](
      { deliveryId: d.id, eventId: d.event_id, attempt: number, statusCode: result.statusCode, error: result.error, status: recorded.rows[0]?.status },
      'webhook delivery attempt',
    );
  };
}
