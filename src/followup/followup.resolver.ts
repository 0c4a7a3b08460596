import { Args, Authorized, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Access } from '../auth/auth.checker.js';
import type { RequestContext, SignedInContext } from '../context/request.context.js';
import { Ticket } from '../ticket/ticket.type.js';
import { ticketView } from '../ticket/ticket.visibility.js';
import { setFollowUp } from './followup.service.js';
import { CsatFollowUpType, SetCsatFollowUpArgs } from './followup.types.js';

/** Agents and admins follow up on their own workspace's ratings; customers never see or change a follow-up. */
const STAFF: Access = { roles: ['agent', 'admin'], unauthenticated: 'setCsatFollowUp needs an agent or admin token', forbidden: 'only agents and admins follow up on ratings' };

@Resolver(() => Ticket)
export class FollowUpResolver {
  @Authorized(STAFF)
  @Mutation(() => Ticket, { description: "Opens or changes the follow-up of a rating of your workspace (agents and admins); the rating never changes" })
  async setCsatFollowUp(@Args(() => SetCsatFollowUpArgs) args: SetCsatFollowUpArgs, @Ctx() ctx: SignedInContext): Promise<Ticket> {
    const id = await setFollowUp(ctx.em, ctx.viewer, args);
    return ticketView(id, await ctx.loaders.ticketCsat.load({ id, offer: false }), ctx.viewer);
  }

  /** Staff of the ticket's workspace see it; everyone else null (never an error: a page stays whole). */
  @FieldResolver(() => CsatFollowUpType, { nullable: true, description: "The rating's follow-up, for agents and admins of the workspace; null for anyone else, and for a rating without one" })
  csatFollowUp(@Root() ticket: Ticket, @Ctx() ctx: RequestContext): Promise<CsatFollowUpType | null> | null {
    if (!ctx.viewer || ctx.viewer.role === 'customer' || ticket.csatRatedAt === null) return null;
    return ctx.loaders.followUp.load(ticket.id);
  }
}
