import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context.js';
import * as webhooks from './webhook.service.js';
import {
  CreateCsatWebhookInput,
  CsatDeliveryConnection,
  CsatDeliveryType,
  CsatWebhookCreated,
  CsatWebhookType,
  UpdateCsatWebhookInput,
} from './webhook.types.js';

/** Admins of a workspace manage its endpoints and see their deliveries (docs/webhooks.md). */
@Resolver(() => CsatWebhookType)
export class WebhookResolver {
  @Query(() => [CsatWebhookType], { description: "The workspace's webhook endpoints, with each one's last delivery status (admins)" })
  csatWebhooks(@Ctx() ctx: RequestContext): Promise<CsatWebhookType[]> {
    return webhooks.listWebhooks(ctx);
  }

  @Query(() => CsatDeliveryConnection, { description: "An endpoint's deliveries, newest first (admins)" })
  csatWebhookDeliveries(
    @Arg('webhookId', () => ID) webhookId: string,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: RequestContext,
  ): Promise<CsatDeliveryConnection> {
    return webhooks.listDeliveries(ctx, webhookId, first, after);
  }

  @Mutation(() => CsatWebhookCreated, { description: 'Registers an endpoint; the answer holds its signing secret, shown this once (admins)' })
  createCsatWebhook(@Arg('input', () => CreateCsatWebhookInput) input: CreateCsatWebhookInput, @Ctx() ctx: RequestContext): Promise<CsatWebhookCreated> {
    return webhooks.createWebhook(ctx, input);
  }

  @Mutation(() => CsatWebhookType, { description: 'Changes an endpoint (admins)' })
  updateCsatWebhook(@Arg('input', () => UpdateCsatWebhookInput) input: UpdateCsatWebhookInput, @Ctx() ctx: RequestContext): Promise<CsatWebhookType> {
    return webhooks.updateWebhook(ctx, input);
  }

  @Mutation(() => CsatWebhookCreated, { description: 'A new signing secret, shown this once; the old one keeps signing too for 24 h (admins)' })
  rotateCsatWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<CsatWebhookCreated> {
    return webhooks.rotateSecret(ctx, id);
  }

  @Mutation(() => ID, { description: 'Deletes an endpoint and its deliveries; answers its id (admins)' })
  deleteCsatWebhook(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext): Promise<string> {
    return webhooks.deleteWebhook(ctx, id);
  }

  @Mutation(() => CsatDeliveryType, { description: 'Sends a delivery again now, with a fresh retry window (admins)' })
  redeliverCsatEvent(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: RequestContext): Promise<CsatDeliveryType> {
    return webhooks.redeliver(ctx, deliveryId);
  }
}
