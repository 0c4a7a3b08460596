import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, type Viewer } from '../../auth/viewer.js';
import { BadUserInputError, NotFoundError } from '../../errors/domain.errors.js';
import { decodeCursor, encodeCursor, type CursorScope } from '../../federation/cursor.codec.js';
import { isCanonicalInstant } from '../../federation/instant.parser.js';
import { newWebhookSecret } from '../webhook.signer.js';
import { checkWebhookUrl, type GuardOptions } from '../url.guard.js';
import { WebhookStore, type WebhookChange } from './webhook.store.js';
import type { CsatDeliveryConnection, CsatDeliveryType, CsatWebhookCreated, CsatWebhookType, CreateCsatWebhookInput, UpdateCsatWebhookInput } from './webhook.types.js';

/** The old secret keeps signing this long after a rotation. */
export const ROTATION_OVERLAP_HOURS = 24;
const DESCRIPTION_MAX = 500;
/** The deliveries list's page bound (the insights lists': insights.filter.ts, MAX_PAGE). */
const MAX_PAGE = 100;

// Every function here is an admin's (webhook.resolver.ts's @Authorized): `me` is one, and the workspace is always
// the token's, so another workspace's ids find nothing.

/** Another workspace's id, an unknown id and a malformed one look the same. */
function notFound(what: string): never {
  throw new NotFoundError(`${what} not found`);
}

async function validate(change: WebhookChange, guard: GuardOptions): Promise<WebhookChange> {
  const out: WebhookChange = { ...change };
  if (change.url !== undefined && change.url !== null) out.url = (await checkWebhookUrl(change.url, guard)).href;
  if (change.description !== undefined && change.description !== null) {
    const d = change.description.trim();
    if (!d.isWellFormed() || d.includes('\u0000') || [...d].length > DESCRIPTION_MAX) {
      throw new BadUserInputError(`description must be at most ${DESCRIPTION_MAX} characters of text`, 'description');
    }
    out.description = d;
  }
  if (change.events !== undefined && change.events !== null) {
    if (!change.events.length) throw new BadUserInputError('events needs at least one event type', 'events');
    out.events = [...new Set(change.events)];
  }
  return out;
}

export async function listWebhooks(em: EntityManager, me: Viewer): Promise<CsatWebhookType[]> {
  return new WebhookStore(em).list(me.workspace);
}

export async function createWebhook(em: EntityManager, me: Viewer, input: CreateCsatWebhookInput, guard: GuardOptions): Promise<CsatWebhookCreated> {
  const valid = await validate(input, guard);
  const secret = newWebhookSecret();
  const webhook = await new WebhookStore(em).create(
    me.workspace,
    { url: valid.url!, description: valid.description ?? null, events: valid.events!, onlyUnhappy: valid.onlyUnhappy ?? false },
    secret,
  );
  return { webhook, secret };
}

export async function updateWebhook(em: EntityManager, me: Viewer, input: UpdateCsatWebhookInput, guard: GuardOptions): Promise<CsatWebhookType> {
  if (!isUuid(input.id)) notFound('webhook');
  const valid = await validate(input, guard);
  return (await new WebhookStore(em).update(me.workspace, input.id, valid)) ?? notFound('webhook');
}

export async function rotateSecret(em: EntityManager, me: Viewer, id: string): Promise<CsatWebhookCreated> {
  if (!isUuid(id)) notFound('webhook');
  const secret = newWebhookSecret();
  const webhook = (await new WebhookStore(em).rotate(me.workspace, id, secret, ROTATION_OVERLAP_HOURS)) ?? notFound('webhook');
  return { webhook, secret };
}

export async function deleteWebhook(em: EntityManager, me: Viewer, id: string): Promise<string> {
  if (!isUuid(id) || !(await new WebhookStore(em).delete(me.workspace, id))) notFound('webhook');
  return id;
}

/** A deliveries cursor, newest first on (created_at, id), is its webhook's: another webhook's list refuses it. */
const deliveriesCursor = (webhookId: string): CursorScope => ({ order: 'CREATED_AT_DESC', scope: webhookId.toLowerCase(), foreign: 'after is not a cursor of this list' });

function readDeliveriesCursor(after: string, webhookId: string): { createdAt: string; id: string } {
  // The time key as encodeCursor wrote it (instantSql's form), read by the parser of client instants: never text PostgreSQL refuses.
  const [createdAt, id] = decodeCursor(after, deliveriesCursor(webhookId), (k) => k.length === 2 && isCanonicalInstant(k[0]) && isUuid(k[1])) as [string, string];
  return { createdAt, id };
}

export async function listDeliveries(em: EntityManager, me: Viewer, webhookId: string, first: number, after: string | null | undefined): Promise<CsatDeliveryConnection> {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new BadUserInputError(`first must be 1..${MAX_PAGE}`, 'first');
  const cursor = after ? readDeliveriesCursor(after, webhookId) : null;
  const store = new WebhookStore(em);
  if (!isUuid(webhookId) || !(await store.exists(me.workspace, webhookId))) notFound('webhook');
  const rows = await store.deliveries(me.workspace, webhookId, first, cursor);
  const page = rows.slice(0, first);
  const at = deliveriesCursor(webhookId);
  const edges = page.map((node) => ({ cursor: encodeCursor(at, [node.createdAt, node.id]), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

export async function redeliver(em: EntityManager, me: Viewer, deliveryId: string): Promise<CsatDeliveryType> {
  if (!isUuid(deliveryId)) notFound('delivery');
  return (await new WebhookStore(em).redeliver(me.workspace, deliveryId)) ?? notFound('delivery');
}
