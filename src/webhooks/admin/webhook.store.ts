import { randomUUID } from 'node:crypto';
import { raw, type EntityData, type EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '../../db/sql.helpers.js';
import { deliveryJobKey, DELIVER_TASK } from '../rating.event.sql.js';
import { CsatDelivery, CsatDeliveryAttempt, CsatWebhook } from '../webhook.entities.js';
import { EVENT_WIRE_NAMES, eventTypeOfWire, type CsatDeliveryStatus, type CsatDeliveryType, type CsatEventType, type CsatWebhookType } from './webhook.types.js';

// The admin side of webhooks, through MikroORM (not a hot path): every statement names the token's workspace, so
// another workspace's ids find nothing and a distributed PostgreSQL routes it to one shard (docs/scale.md,
// test/workspace.scope.test.ts). So no flush of a managed entity (its update names the primary key only): changes
// are QueryBuilder updates filtered by (id, workspace_id), returning the row. The forks are the request's.

export interface WebhookChange {
  url?: string | null;
  description?: string | null;
  events?: CsatEventType[] | null;
  onlyUnhappy?: boolean | null;
}

export type StoredDelivery = CsatDeliveryType & { createdAt: string };

const iso = (at: Date | null | undefined) => at?.toISOString() ?? null;
const wire = (events: CsatEventType[]) => events.map((e) => EVENT_WIRE_NAMES[e]);

export class WebhookStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * The API's view of endpoints: each with its newest delivery (one index probe each: csat_delivery_webhook_idx;
   * the workspace is checked on the row it finds).
   */
  private async view(webhooks: CsatWebhook[]): Promise<CsatWebhookType[]> {
    const last = await Promise.all(
      webhooks.map((w) =>
        this.em.findOne(CsatDelivery, { webhookId: w.id, workspaceId: w.workspaceId }, { orderBy: { createdAt: 'desc', id: 'desc' }, fields: ['status', 'createdAt'] }),
      ),
    );
    return webhooks.map((w, i) => ({
      id: w.id,
      url: w.url,
      description: w.description,
      events: w.events.map(eventTypeOfWire),
      onlyUnhappy: w.onlyUnhappy,
      createdAt: w.createdAt.toISOString(),
      previousSecretExpiresAt: iso(w.previousSecretExpiresAt),
      lastDeliveryStatus: (last[i]?.status as CsatDeliveryStatus | undefined) ?? null,
      lastDeliveryAt: iso(last[i]?.createdAt),
    }));
  }

  private find(workspaceId: string, id: string): Promise<CsatWebhook | null> {
    return this.em.findOne(CsatWebhook, { id, workspaceId });
  }

  /** One statement: the workspace's endpoint changed, as it is now (undefined: not the workspace's, or none). */
  private async change(workspaceId: string, id: string, data: EntityData<CsatWebhook>): Promise<CsatWebhook | undefined> {
    const [row] = await this.em.createQueryBuilder(CsatWebhook).update(data).where({ id, workspaceId }).returning('*').execute<CsatWebhook[]>('all');
    return row;
  }

  async list(workspaceId: string): Promise<CsatWebhookType[]> {
    return this.view(await this.em.find(CsatWebhook, { workspaceId }, { orderBy: { createdAt: 'asc', id: 'asc' } }));
  }

  async create(workspaceId: string, input: Required<WebhookChange> & { url: string; events: CsatEventType[] }, secret: string): Promise<CsatWebhookType> {
    const webhook = this.em.create(CsatWebhook, {
      // Its whole key (workspace_id, id) known before the insert, as the ORM tracks the new row by it.
      id: randomUUID(),
      workspaceId,
      url: input.url,
      description: input.description,
      events: wire(input.events),
      onlyUnhappy: input.onlyUnhappy ?? false,
      secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
    });
    await this.em.flush();
    return (await this.view([webhook]))[0]!;
  }

  async update(workspaceId: string, id: string, change: WebhookChange): Promise<CsatWebhookType | undefined> {
    const data: EntityData<CsatWebhook> = {};
    if (change.url != null) data.url = change.url;
    if (change.description != null) data.description = change.description;
    if (change.events != null) data.events = wire(change.events);
    if (change.onlyUnhappy != null) data.onlyUnhappy = change.onlyUnhappy;
    // Nothing to change: no update, as a flush of an unchanged entity sent none.
    const webhook = Object.keys(data).length ? await this.change(workspaceId, id, data) : await this.find(workspaceId, id);
    return webhook ? (await this.view([webhook]))[0] : undefined;
  }

  /** The new secret signs from now on; the old one signs too for `overlapHours` (receivers switch when they can). */
  async rotate(workspaceId: string, id: string, secret: string, overlapHours: number): Promise<CsatWebhookType | undefined> {
    const webhook = await this.change(workspaceId, id, {
      // The right-hand sides read the row as it was: the old secret moves to previous_secret.
      previousSecret: raw('secret'),
      // The database's clock, as the delivery task's comparison with now() uses.
      previousSecretExpiresAt: raw(`now() + ?::int * interval '1 hour'`, [overlapHours]),
      secret,
    });
    return webhook ? (await this.view([webhook]))[0] : undefined;
  }

  /** Its deliveries and their attempts go with it (the foreign keys cascade). */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    return (await this.em.nativeDelete(CsatWebhook, { id, workspaceId })) > 0;
  }

  async exists(workspaceId: string, id: string): Promise<boolean> {
    return (await this.em.count(CsatWebhook, { id, workspaceId })) > 0;
  }

  /** The deliveries' attempts, by their key (workspace_id, delivery_id, attempt). */
  private async deliveryViews(workspaceId: string, deliveries: CsatDelivery[]): Promise<StoredDelivery[]> {
    const attempts = deliveries.length
      ? await this.em.find(CsatDeliveryAttempt, { workspaceId, deliveryId: { $in: deliveries.map((d) => d.id) } }, { orderBy: { deliveryId: 'asc', attempt: 'asc' } })
      : [];
    return deliveries.map((d) => ({
      id: d.id,
      eventId: d.eventId,
      status: d.status as CsatDeliveryStatus,
      nextAttemptAt: iso(d.nextAttemptAt),
      createdAt: d.createdAt.toISOString(),
      attempts: attempts.filter((a) => a.deliveryId === d.id).map((a) => ({ at: a.at.toISOString(), statusCode: a.statusCode, durationMs: a.durationMs, error: a.error })),
    }));
  }

  /** Newest first, keyset on (created_at, id): every page costs the same. One more than asked tells whether there is a next page. */
  async deliveries(workspaceId: string, webhookId: string, first: number, after: { createdAt: string; id: string } | null): Promise<StoredDelivery[]> {
    const qb = this.em.createQueryBuilder(CsatDelivery, 'd').select('*').where({ webhookId, workspaceId });
    // One row comparison on csat_delivery_webhook_idx's range, not an OR of two.
    if (after) qb.andWhere(raw('(d.created_at, d.id) < (?::timestamptz, ?::uuid)', [after.createdAt, after.id]));
    const rows = await qb.orderBy({ createdAt: 'desc', id: 'desc' }).limit(first + 1).getResult();
    return this.deliveryViews(workspaceId, rows);
  }

  /** Sends the event again now, with a fresh retry window; a pending delivery just moves its job to now. One transaction. */
  async redeliver(workspaceId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    return this.em.transactional(async (tx) => {
      // The update locks the row as the old select … for update did; the database's clock starts the window.
      const [delivery] = await tx
        .createQueryBuilder(CsatDelivery)
        .update({ status: 'PENDING', windowStartedAt: raw('now()'), nextAttemptAt: raw('now()') })
        .where({ id: deliveryId, workspaceId })
        .returning('*')
        .execute<CsatDelivery[]>('all');
      if (!delivery) return undefined;
      // graphile-worker's own function, in this transaction: the job and the delivery commit together. Its payload as
      // rating.event.sql.ts's deliveryJobPayload: the worker reads the delivery in its workspace (docs/scale.md).
      await sqlRows(tx.getKysely(), `select graphile_worker.add_job($1, json_build_object('deliveryId', $2::uuid, 'workspaceId', $3::uuid), job_key => ${deliveryJobKey('$2::text')})`, [DELIVER_TASK, delivery.id, workspaceId]);
      return (await new WebhookStore(tx).deliveryViews(workspaceId, [delivery]))[0];
    });
  }
}
