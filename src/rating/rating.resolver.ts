import { Args, Authorized, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Access } from '../auth/auth.checker.js';
import type { SignedInContext } from '../context/request.context.js';
import { Ticket } from '../ticket/ticket.type.js';
import { ticketView } from '../ticket/ticket.visibility.js';
import { RateTicketArgs } from './rating.args.js';
import { rateTicket } from './rating.service.js';

/** Any signed-in caller reaches the service, which answers NOT_FOUND to all but the requester (it reveals nothing). */
const SIGNED_IN: Access = { roles: ['customer', 'agent', 'admin'], unauthenticated: 'rateTicket needs a customer token' };

@Resolver(() => Ticket)
export class RatingResolver {
  @Authorized(SIGNED_IN)
  @Mutation(() => Ticket, { description: 'Rate a resolved or closed ticket, once. Later calls return the stored rating unchanged.' })
  async rateTicket(@Args(() => RateTicketArgs) args: RateTicketArgs, @Ctx() ctx: SignedInContext): Promise<Ticket> {
    const row = await rateTicket(ctx.em, ctx.viewer, args.ticketId, args.rating, args.comment);
    return ticketView(row.id, row, ctx.viewer);
  }
}
