import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { Access } from '../auth/auth.checker.js';
import type { SignedInContext } from '../context/request.context.js';
import { issueRatingLinks, type RatingLinkDeps } from './link.service.js';
import { CsatRatingLinksType } from './link.type.js';

const MAILERS: Access = {
  roles: ['agent', 'admin', 'service'],
  unauthenticated: 'csatRatingLinks needs an agent, admin or service token',
  forbidden: 'rating links are issued to agents, admins and service callers of the workspace',
};

@Resolver()
export class RatingLinkResolver {
  constructor(private readonly deps: RatingLinkDeps) {}

  @Authorized(MAILERS)
  @Query(() => CsatRatingLinksType, {
    nullable: true,
    description:
      "The resolution email's rating links for a ticket of the caller's workspace that can be rated now (NOT_FOUND, ALREADY_RATED, CSAT_DISABLED, TICKET_NOT_RESOLVED otherwise); records the offer through EMAIL. locale: en, de, fr or es (a BCP 47 tag; others give English); without it the page follows the browser's language",
  })
  async csatRatingLinks(@Arg('ticketId', () => ID) ticketId: string, @Arg('locale', () => String, { nullable: true }) locale: string | null, @Ctx() ctx: SignedInContext): Promise<CsatRatingLinksType> {
    return issueRatingLinks(ctx.em, ctx.viewer, this.deps, ticketId, locale);
  }
}
