import 'reflect-metadata';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap } from 'type-graphql';
import { authChecker } from '../auth/auth.checker.js';
import { BadgeCache } from '../badge/badge.cache.js';
import { BadgeResolver } from '../badge/badge.resolver.js';
import type { CsatBadge } from '../badge/badge.type.js';
import type { RequestContext } from '../context/request.context.js';
import { InsightsResolver } from '../insights/insights.resolver.js';
import { RatingResolver } from '../rating/rating.resolver.js';
import { RatingLinkResolver } from '../rating-links/link.resolver.js';
import type { RatingLinkDeps } from '../rating-links/link.service.js';
import { createLinkSigner } from '../rating-links/link.token.js';
import { DEV_RATING_LINK_SECRET } from '../config/config.js';
import { SettingsResolver } from '../settings/settings.resolver.js';
// Import order is the order of the root fields in schema.graphql (type-graphql collects them as modules load).
import { WebhookResolver } from '../webhooks/admin/webhook.resolver.js';
import { resolveTicketPage, ticketReferenceResolvers } from '../ticket/ticket.reference.js';
import { TicketResolver } from '../ticket/ticket.resolver.js';
import { FollowUpResolver } from '../followup/followup.resolver.js';
import { Ticket } from '../ticket/ticket.type.js';
import { systemLookup, type GuardOptions } from '../webhooks/url.guard.js';

/** The Federation 2 header; v2.5 is understood by every current router and gateway. */
export const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])';

/** What the resolvers hold for the life of the service (app.ts makes them; the defaults serve schema printing and tests). */
export interface ResolverDeps {
  badges: BadgeCache<CsatBadge | null>;
  /** How webhook endpoint URLs are checked (url.guard.ts). */
  webhooks: GuardOptions;
  /** csatRatingLinks' signer and public address (rating-links/). */
  ratingLinks: RatingLinkDeps;
}

/** Schema printing and tests that build a schema alone: the development key, the default address. */
const PRINT_RATING_LINKS: RatingLinkDeps = { signer: createLinkSigner({ secret: DEV_RATING_LINK_SECRET, ttlSeconds: 30 * 86_400 }), publicUrl: () => 'http://127.0.0.1:4001' };

/**
 * @apollo/subgraph resolves `_entities` one representation at a time: a promise per entity for graphql-js to
 * settle (docs/performance.md). A page of Tickets is resolved at once (ticket.reference.ts); anything else
 * goes to @apollo/subgraph's own resolver.
 */
function batchEntities(schema: GraphQLSchema): void {
  const field = schema.getQueryType()!.getFields()._entities!;
  const general = field.resolve!;
  field.resolve = (source, args: { representations?: unknown }, ctx: RequestContext, info) =>
    resolveTicketPage(args.representations, ctx, info) ?? general(source, args, ctx, info);
}

/** type-graphql builds the types; this turns them into a subgraph schema (_service, _entities). */
export async function buildCsatSubgraphSchema(
  deps: ResolverDeps = { badges: new BadgeCache<CsatBadge | null>(), webhooks: { allowLoopback: false, lookup: systemLookup }, ratingLinks: PRINT_RATING_LINKS },
): Promise<{ schema: GraphQLSchema; sdl: string }> {
  // One instance of each resolver, made here with what it holds (type-graphql's container asks for them).
  const resolvers = new Map<Function, object>([
    [RatingResolver, new RatingResolver()],
    [TicketResolver, new TicketResolver()],
    [InsightsResolver, new InsightsResolver()],
    [SettingsResolver, new SettingsResolver()],
    [BadgeResolver, new BadgeResolver(deps.badges)],
    [WebhookResolver, new WebhookResolver(deps.webhooks)],
    [RatingLinkResolver, new RatingLinkResolver(deps.ratingLinks)],
    [FollowUpResolver, new FollowUpResolver()],
  ]);
  const typeSchema = await buildSchema({
    resolvers: [...resolvers.keys()] as [Function, ...Function[]],
    container: { get: (resolver: Function) => resolvers.get(resolver) },
    // @Authorized(access): UNAUTHENTICATED and FORBIDDEN with the field's own messages (auth.checker.ts).
    authChecker,
    orphanedTypes: [Ticket],
    // Query has csatTicket; buildSubgraphSchema adds _entities and _service.
    skipCheck: true,
    validate: false,
  });
  // Plain printSchema drops @key; print with directives and prepend the @link.
  const sdl = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(typeSchema)}\n`;
  const { Query, Mutation, DateTime, Ticket: ticketFields, CsatSettings: settingsFields } = createResolversMap(typeSchema) as Record<string, Record<string, unknown>>;
  // Ticket's fields are plain properties (ticket.visibility.ts): no type-graphql wrapper per field,
  // which would run its middleware chain 250 times for a page of 50 entities. The one exception, csatFollowUp
  // (followup.resolver.ts), runs only when selected. Likewise CsatSettings.commentLanguageStatus (settings.resolver.ts).
  const resolverMap = {
    Query,
    Mutation,
    DateTime,
    Ticket: { ...ticketReferenceResolvers.Ticket, csatFollowUp: ticketFields!.csatFollowUp },
    CsatSettings: { commentLanguageStatus: settingsFields!.commentLanguageStatus },
  } as GraphQLResolverMap<unknown>;
  const schema = buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolverMap }]);
  batchEntities(schema);
  return { schema, sdl };
}
