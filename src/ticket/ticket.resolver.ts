import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Query, Resolver } from 'type-graphql';
import { recordsOffers } from './ticket.selection.js';
import type { RequestContext } from '../context/request.context.js';
import { Ticket } from './ticket.type.js';
import { ticketView } from './ticket.visibility.js';

/**
 * `csatTicket(id)`: one Ticket for clients that must not depend on a helpdesk's own root fields (the web
 * components). The same answer `_entities` gives for `{ __typename: "Ticket", id }`: the request's loader
 * (every `csatTicket` of one request in one batch, one statement) and ticketView's who-sees rules, so the
 * ticket comes back with its CSAT fields to whoever may see them and with nulls to anyone else (unknown,
 * malformed or other people's ids too): it reveals nothing `_entities` does not (docs/contract.md).
 */
@Resolver(() => Ticket)
export class TicketResolver {
  @Query(() => Ticket, {
    nullable: true,
    description:
      'One ticket with its CSAT fields, resolved by this subgraph with the rules of _entities: null fields (and csatCanRate false) for a ticket the caller may not see.',
  })
  async csatTicket(@Arg('id', () => ID) id: string, @Ctx() ctx: RequestContext, @Info() info: GraphQLResolveInfo): Promise<Ticket> {
    // csatCanRate asked for: the prompt is shown, and recorded as offered (docs/insights.md).
    return ticketView(id, await ctx.loaders.ticketCsat.load({ id, offer: recordsOffers(ctx.viewer, info) }), ctx.viewer);
  }
}
