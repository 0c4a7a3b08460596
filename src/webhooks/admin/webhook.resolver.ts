import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Access } from '../../auth/auth.checker.js';
import type { SignedInContext } from '../../context/request.context.js';
import type { GuardOptions } from '../url.guard.js';
import * as webhooks from './webhook.service.js';
import {
  CreateCsatWebhookInput,
  CsatDeliveryConnection,
  CsatDeliveryType,
  CsatWebhookCreated,
  CsatWebhookType,
  UpdateCsatWebhookInput,
} from './webhook.types.js';

/** Webhooks are an admin's tool: anyone else is FORBIDDEN, whatever the id (so FORBIDDEN says nothing about ids). */
const ADMINS: Access = { roles: ['admin'], unauthenticated: 'webhooks need an admin token', forbidden: 'only admins manage webhooks' };

/** Admins of a workspace manage its endpoints and see their deliveries (docs/webhooks.md). */
@Authorized(ADMINS)
@Resolver(() => CsatWebhookType)
export class WebhookResolver {
  /** How endpoint URLs are checked (url.guard.ts): DNS in the service, names of their own in tests. */
  constructor(private readonly guard: GuardOptions) {}

  @Query(() => [CsatWebhookType], { description: "The workspace's webhook endpoints, with each one's last delivery status (admins)" })
  csatWebhooks(@Ctx() ctx: SignedInContext): Promise<CsatWebhookType[]> {
    return webhooks.listWebhooks(ctx.em, ctx.viewer);
  }

  @Query(() => CsatDeliveryConnection, { description: "An endpoint's deliveries, newest first (admins)" })
  csatWebhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: SignedInContext,
  ): Promise<CsatDeliveryConnection> {
    return webhooks.listDeliveries(ctx.em, ctx.viewer, webhookId, first, after);
  }

  @Mutation(() => CsatWebhookCreated, { description: 'Registers an endpoint; the answer holds its signing secret, shown this once (admins)' })
  createCsatWebhook(@Arg('input', () => CreateCsatWebhookInput) input: CreateCsatWebhookInput, @Ctx() ctx: SignedInContext): Promise<CsatWebhookCreated> {
    return webhooks.createWebhook(ctx.em, ctx.viewer, input, this.guard);
  }

  @Mutation(() => CsatWebhookType, { description: 'Changes an endpoint (admins)' })
  updateCsatWebhook(@Arg('input', () => UpdateCsatWebhookInput) input: UpdateCsatWebhookInput, @Ctx() ctx: SignedInContext): Promise<CsatWebhookType> {
    return webhooks.updateWebhook(ctx.em, ctx.viewer, input, this.guard);
  }

  @Mutation(() => CsatWebhookCreated, { description: 'A new signing secret, shown this once; the old one keeps signing too for 24 h (admins)' })
  rotateCsatWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: SignedInContext): Promise<CsatWebhookCreated> {
    return webhooks.rotateSecret(ctx.em, ctx.viewer, id);
  }

  @Mutation(() => ID, { description: 'Deletes an endpoint and its deliveries; answers its id (admins)' })
  deleteCsatWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: SignedInContext): Promise<string> {
    return webhooks.deleteWebhook(ctx.em, ctx.viewer, id);
  }

  @Mutation(() => CsatDeliveryType, { description: 'Sends a delivery again now, with a fresh retry window (admins)' })
  redeliverCsatEvent(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: SignedInContext): Promise<CsatDeliveryType> {
    return webhooks.redeliver(ctx.em, ctx.viewer, deliveryId);
  }
}
