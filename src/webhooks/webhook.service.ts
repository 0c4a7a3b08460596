import { isUuid, type Viewer } from '../auth/viewer.js';
import { BadUserInputError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors/domain.errors.js';
import { isCanonicalInstant } from '../federation/instant.parser.js';
import type { RequestContext } from '../server/context.js';
import { newWebhookSecret } from './delivery.signer.js';
import { checkWebhookUrl } from './url.guard.js';
import { WebhookStore, type WebhookChange } from './webhook.store.js';
import type { CsatDeliveryConnection, CsatDeliveryType, CsatWebhookCreated, CsatWebhookType, CreateCsatWebhookInput, UpdateCsatWebhookInput } from './webhook.types.js';

/** The old secret keeps signing this long after a rotation. */
export const ROTATION_OVERLAP_HOURS = 24;
const DESCRIPTION_MAX = 500;
const PAGE_MAX = 100;

/** Webhooks are an admin's tool: anyone else is FORBIDDEN, whatever the id (so FORBIDDEN says nothing about ids). */
function admin(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError('webhooks need an admin token');
  if (viewer.role !== 'admin') throw new ForbiddenError('only admins manage webhooks');
  return viewer;
}

/** Another workspace's id, an unknown id and a malformed one look the same. */
function notFound(what: string): never {
  throw new NotFoundError(`${what} not found`);
}

async function validate(ctx: RequestContext, change: WebhookChange): Promise<WebhookChange> {
  const out: WebhookChange = { ...change };
  if (change.url !== undefined && change.url !== null) out.url = (await checkWebhookUrl(change.url, ctx.shared.webhooks)).href;
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

export async function listWebhooks(ctx: RequestContext): Promise<CsatWebhookType[]> {
  return new WebhookStore(ctx.em).list(admin(ctx.viewer).workspace);
}

export async function createWebhook(ctx: RequestContext, input: CreateCsatWebhookInput): Promise<CsatWebhookCreated> {
  const me = admin(ctx.viewer);
  const valid = await validate(ctx, input);
  const secret = newWebhookSecret();
  const webhook = await new WebhookStore(ctx.em).create(
    me.workspace,
    { url: valid.url!, description: valid.description ?? null, events: valid.events!, onlyUnhappy: valid.onlyUnhappy ?? false },
    secret,
  );
  return { webhook, secret };
}

export async function updateWebhook(ctx: RequestContext, input: UpdateCsatWebhookInput): Promise<CsatWebhookType> {
  const me = admin(ctx.viewer);
  if (!isUuid(input.id)) notFound('webhook');
  const valid = await validate(ctx, input);
  return (await new WebhookStore(ctx.em).update(me.workspace, input.id, valid)) ?? notFound('webhook');
}

export async function rotateSecret(ctx: RequestContext, id: string): Promise<CsatWebhookCreated> {
  const me = admin(ctx.viewer);
  if (!isUuid(id)) notFound('webhook');
  const secret = newWebhookSecret();
  const webhook = (await new WebhookStore(ctx.em).rotate(me.workspace, id, secret, ROTATION_OVERLAP_HOURS)) ?? notFound('webhook');
  return { webhook, secret };
}

export async function deleteWebhook(ctx: RequestContext, id: string): Promise<string> {
  const me = admin(ctx.viewer);
  if (!isUuid(id) || !(await new WebhookStore(ctx.em).delete(me.workspace, id))) notFound('webhook');
  return id;
}

const encodeCursor = (d: { createdAt: string; id: string }) => Buffer.from(`${d.createdAt}|${d.id}`).toString('base64url');

function decodeCursor(after: string): { createdAt: string; id: string } {
  const parts = Buffer.from(after, 'base64url').toString('utf8').split('|');
  const [createdAt, id] = parts.length === 2 ? parts : [];
  // The time key as encodeCursor wrote it (ratedAtSql's form), read by the parser of client instants: never text PostgreSQL refuses.
  if (!isCanonicalInstant(createdAt) || !isUuid(id)) throw new BadUserInputError('after is not a cursor of this list', 'after');
  return { createdAt, id };
}

export async function listDeliveries(ctx: RequestContext, webhookId: string, first: number, after: string | null | undefined): Promise<CsatDeliveryConnection> {
  const me = admin(ctx.viewer);
  if (!Number.isInteger(first) || first < 1 || first > PAGE_MAX) throw new BadUserInputError(`first must be 1..${PAGE_MAX}`, 'first');
  const cursor = after ? decodeCursor(after) : null;
  const store = new WebhookStore(ctx.em);
  if (!isUuid(webhookId) || !(await store.exists(me.workspace, webhookId))) notFound('webhook');
  const rows = await store.deliveries(me.workspace, webhookId, first, cursor);
  const page = rows.slice(0, first);
  const edges = page.map((node) => ({ cursor: encodeCursor(node), node }));
  return { edges, pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null } };
}

export async function redeliver(ctx: RequestContext, deliveryId: string): Promise<CsatDeliveryType> {
  const me = admin(ctx.viewer);
  if (!isUuid(deliveryId)) notFound('delivery');
  return (await new WebhookStore(ctx.em).redeliver(me.workspace, deliveryId)) ?? notFound('delivery');
}
