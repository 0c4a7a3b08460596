import { LockMode, raw, type EntityManager } from '@mikro-orm/postgresql';
import { sqlRows } from '../../db/sql.helpers.js';
import { deliveryJobKey, DELIVER_TASK } from '../rating.event.sql.js';
import { CsatDelivery, CsatDeliveryAttempt, CsatWebhook } from '../webhook.entities.js';
import { EVENT_WIRE_NAMES, eventTypeOfWire, type CsatDeliveryStatus, type CsatDeliveryType, type CsatEventType, type CsatWebhookType } from './webhook.types.js';

// The admin side of webhooks, through MikroORM (not a hot path): every statement names the token's workspace, so
// another workspace's ids find nothing. The forks are the request's: nothing here outlives it.

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

  /** The API's view of endpoints: each with its newest delivery (one index probe each: csat_delivery_webhook_idx). */
  private async view(webhooks: CsatWebhook[]): Promise<CsatWebhookType[]> {
    const last = await Promise.all(
      webhooks.map((w) => this.em.findOne(CsatDelivery, { webhookId: w.id }, { orderBy: { createdAt: 'desc', id: 'desc' }, fields: ['status', 'createdAt'] })),
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

  async list(workspaceId: string): Promise<CsatWebhookType[]> {
    return this.view(await this.em.find(CsatWebhook, { workspaceId }, { orderBy: { createdAt: 'asc', id: 'asc' } }));
  }

  async create(workspaceId: string, input: Required<WebhookChange> & { url: string; events: CsatEventType[] }, secret: string): Promise<CsatWebhookType> {
    const webhook = this.em.create(CsatWebhook, {
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
    const webhook = await this.find(workspaceId, id);
    if (!webhook) return undefined;
    if (change.url != null) webhook.url = change.url;
    if (change.description != null) webhook.description = change.description;
    if (change.events != null) webhook.events = wire(change.events);
    if (change.onlyUnhappy != null) webhook.onlyUnhappy = change.onlyUnhappy;
    await this.em.flush();
    return (await this.view([webhook]))[0];
  }

  /** The new secret signs from now on; the old one signs too for `overlapHours` (receivers switch when they can). */
  async rotate(workspaceId: string, id: string, secret: string, overlapHours: number): Promise<CsatWebhookType | undefined> {
    const webhook = await this.find(workspaceId, id);
    if (!webhook) return undefined;
    webhook.previousSecret = webhook.secret;
    // The database's clock, as the delivery task's comparison with now() uses.
    const [row] = await sqlRows<{ expires: string }>(this.em.getKysely(), `select now() + $1::int * interval '1 hour' as expires`, [overlapHours]);
    webhook.previousSecretExpiresAt = new Date(row!.expires);
    webhook.secret = secret;
    await this.em.flush();
    return (await this.view([webhook]))[0];
  }

  /** Its deliveries and their attempts go with it (the foreign keys cascade). */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    return (await this.em.nativeDelete(CsatWebhook, { id, workspaceId })) > 0;
  }

  async exists(workspaceId: string, id: string): Promise<boolean> {
    return (await this.em.count(CsatWebhook, { id, workspaceId })) > 0;
  }

  private async deliveryViews(deliveries: CsatDelivery[]): Promise<StoredDelivery[]> {
    const attempts = deliveries.length
      ? await this.em.find(CsatDeliveryAttempt, { deliveryId: { $in: deliveries.map((d) => d.id) } }, { orderBy: { deliveryId: 'asc', attempt: 'asc' } })
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
    return this.deliveryViews(rows);
  }

  /** Sends the event again now, with a fresh retry window; a pending delivery just moves its job to now. One transaction. */
  async redeliver(workspaceId: string, deliveryId: string): Promise<StoredDelivery | undefined> {
    return this.em.transactional(async (tx) => {
      const delivery = await tx.findOne(CsatDelivery, { id: deliveryId, workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!delivery) return undefined;
      const [clock] = await sqlRows<{ now: string }>(tx.getKysely(), 'select now() as now');
      const now = new Date(clock!.now);
      Object.assign(delivery, { status: 'PENDING', windowStartedAt: now, nextAttemptAt: now });
      await tx.flush();
      // graphile-worker's own function, in this transaction: the job and the delivery commit together. Its payload as
      // rating.event.sql.ts's deliveryJobPayload: the worker reads the delivery in its workspace (docs/scale.md).
      await sqlRows(tx.getKysely(), `select graphile_worker.add_job($1, json_build_object('deliveryId', $2::uuid, 'workspaceId', $3::uuid), job_key => ${deliveryJobKey('$2::text')})`, [DELIVER_TASK, delivery.id, workspaceId]);
      return (await new WebhookStore(tx).deliveryViews([delivery]))[0];
    });
  }
}
