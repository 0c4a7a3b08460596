import { Args, Ctx, Mutation, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context.js';
import { Ticket } from '../ticket/ticket.type.js';
import { ticketView } from '../ticket/ticket.visibility.js';
import { RateTicketArgs } from './rating.args.js';
import { rateTicket } from './rating.service.js';

@Resolver(() => Ticket)
export class RatingResolver {
  @Mutation(() => Ticket, { description: 'Rate a resolved or closed ticket, once. Later calls return the stored rating unchanged.' })
  async rateTicket(@Args(() => RateTicketArgs) args: RateTicketArgs, @Ctx() ctx: RequestContext): Promise<Ticket> {
    const row = await rateTicket(ctx.em, ctx.viewer, args.ticketId, args.rating, args.comment);
    return ticketView(row.id, row, ctx.viewer);
  }
}
