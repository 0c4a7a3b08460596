import type { EntityManager } from '@mikro-orm/postgresql';
import { instantSql, sqlRows } from '../../db/sql.helpers.js';
import { deliveryJobKey, DELIVER_TASK } from '../rating.event.sql.js';
import { EVENT_WIRE_NAMES, eventTypeOfWire, type CsatDeliveryStatus, type CsatDeliveryType, type CsatEventType, type CsatWebhookType } from './webhook.types.js';

// The admin statements of webhooks: every one names the token's workspace, so another workspace's ids find nothing.

const WEBHOOK_COLUMNS = `w.id, w.url, w.description, w.events, w.only_unhappy as "onlyUnhappy", ${instantSql('w.created_at')} as "createdAt",
  ${instantSql('w.previous_secret_expires_at')} as "previousSecretExpiresAt",
  last.status as "lastDeliveryStatus", ${instantSql('last.created_at')} as "lastDeliveryAt"`;
const LAST_DELIVERY = `left join lateral (select d.status, d.created_at from csat_delivery d where d.webhook_id = w.id order by d.created_at desc, d.id desc limit 1) last on true`;

const DELIVERY_COLUMNS = `d.id, d.event_id as "eventId", d.status, ${instantSql('d.next_attempt_at')} as "nextAttemptAt", ${instantSql('d.created_at')} as "createdAt",
  coalesce((select json_agg(json_build_object('at', ${instantSql('a.at')}, 'statusCode', a.status_code, 'durationMs', a.duration_ms, 'error', a.error) order by a.attempt)
              from csat_delivery_attempt a where a.delivery_id = d.id), '[]'::json) as attempts`;

export interface WebhookChange {
  url?: string | null;
  description?: string | null;
  events?: CsatEventType[] | null;
  onlyUnhappy?: boolean | null;
}

type DeliveryRow = Omit<CsatDeliveryType, 'attempts'> & { attempts: unknown; createdAt: string };

function toDelivery(row: DeliveryRow): CsatDeliveryType & { createdAt: string } {
  const attempts = typeof row.attempts === 'string' ? JSON.parse(row.attempts) : row.attempts;
  return { ...row, status: row.status as CsatDeliveryStatus, attempts: attempts as CsatDeliveryType['attempts'] };
}

const toWebhook = (row: CsatWebhookType): CsatWebhookType => ({ ...row, events: (row.events as string[]).map(eventTypeOfWire) });
const wire = (events: CsatEventType[] | null | undefined) => events?.map((e) => EVENT_WIRE_NAMES[e]) ?? null;

export class WebhookStore {
  constructor(private readonly em: EntityManager) {}

  /** Through the EntityManager's Kysely: the request's connection (or transaction), counted like every statement. */
  private rows<Row>(text: string, values: unknown[]): Promise<Row[]> {
    return sqlRows<Row>(this.em.getKysely(), text, values);
  }

  async list(workspaceId: string): Promise<CsatWebhookType[]> {
    const rows = await this.rows<CsatWebhookType>(`select ${WEBHOOK_COLUMNS} from csat_webhook w ${LAST_DELIVERY} where w.workspace_id = $1::uuid order by w.created_at, w.id`, [workspaceId]);
    return rows.map(toWebhook);
  }

  async create(workspaceId: string, input: Required<WebhookChange> & { url: string; events: CsatEventType[] }, secret: string): Promise<CsatWebhookType> {
    const [row] = await this.rows<CsatWebhookType>(
      `with w as (
         insert into csat_webhook (workspace_id, url, description, events, only_unhappy, secret)
         values ($1::uuid, $2, $3, $4::text[], coalesce($5::boolean, false), $6) returning *
       ) select ${WEBHOOK_COLUMNS} from w ${LAST_DELIVERY}`,
      [workspaceId, input.url, input.description, wire(input.events), input.onlyUnhappy, secret],
    );
    return toWebhook(row!);
  }

  async update(workspaceId: string, id: string, change: WebhookChange): Promise<CsatWebhookType | undefined> {
    const [row] = await this.rows<CsatWebhookType>(
      `with w as (
         update csat_webhook set url = coalesce($3, url), description = coalesce($4, description),
                events = coalesce($5::text[], events), only_unhappy = coalesce($6::boolean, only_unhappy)
          where id = $2::uuid and workspace_id = $1::uuid returning *
       ) select ${WEBHOOK_COLUMNS} from w ${LAST_DELIVERY}`,
      [workspaceId, id, change.url ?? null, change.description ?? null, wire(change.events), change.onlyUnhappy ?? null],
    );
    return row && toWebhook(row);
  }

  /** The new secret signs from now on; the old one signs too for `overlapHours` (receivers switch when they can). */
  async rotate(workspaceId: string, id: string, secret: string, overlapHours: number): Promise<CsatWebhookType | undefined> {
    const [row] = await this.rows<CsatWebhookType>(
      `with w as (
         update csat_webhook set previous_secret = secret, previous_secret_expires_at = now() + $4::int * interval '1 hour', secret = $3
          where id = $2::uuid and workspace_id = $1::uuid returning *
       ) select ${WEBHOOK_COLUMNS} from w ${LAST_DELIVERY}`,
      [workspaceId, id, secret, overlapHours],
    );
    return row && toWebhook(row);
  }

  async delete(workspaceId: string, id: string): Promise<boolean> {
    const rows = await this.rows(`delete from csat_webhook where id = $2::uuid and workspace_id = $1::uuid returning id`, [workspaceId, id]);
    return rows.length > 0;
  }

  async exists(workspaceId: string, id: string): Promise<boolean> {
    return (await this.rows(`select 1 from csat_webhook where id = $2::uuid and workspace_id = $1::uuid`, [workspaceId, id])).length > 0;
  }

  /** Newest first, keyset on (created_at, id): every page costs the same. One more than asked tells whether there is a next page. */
  async deliveries(workspaceId: string, webhookId: string, first: number, after: { createdAt: string; id: string } | null) {
    const rows = await this.rows<DeliveryRow>(
      `select ${DELIVERY_COLUMNS} from csat_delivery d
        where d.webhook_id = $2::uuid and d.workspace_id = $1::uuid
          and ($3::timestamptz is null or (d.created_at, d.id) < ($3::timestamptz, $4::uuid))
        order by d.created_at desc, d.id desc limit $5::int`,
      [workspaceId, webhookId, after?.createdAt ?? null, after?.id ?? null, first + 1],
    );
    return rows.map(toDelivery);
  }

  /** Sends the event again now, with a fresh retry window; a pending delivery just moves its job to now. One statement. */
  async redeliver(workspaceId: string, deliveryId: string): Promise<(CsatDeliveryType & { createdAt: string }) | undefined> {
    const [row] = await this.rows<DeliveryRow & { requeued: number }>(
      `with d as (
         update csat_delivery set status = 'PENDING', window_started_at = now(), next_attempt_at = now()
          where id = $2::uuid and workspace_id = $1::uuid returning *
       ), j as (
         select graphile_worker.add_job('${DELIVER_TASK}', json_build_object('deliveryId', d.id), job_key => ${deliveryJobKey('d.id::text')}) from d
       )
       select ${DELIVERY_COLUMNS}, (select count(*) from j)::int as requeued from d`,
      [workspaceId, deliveryId],
    );
    return row && toDelivery(row);
  }
}
