import { Args, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Access } from '../auth/auth.checker.js';
import type { SignedInContext } from '../context/request.context.js';
import { csatAgentSummaries, csatRatings, csatSummary, csatTrend } from './insights.service.js';
import { csatCommentThemes } from './themes.service.js';
import { CsatCommentTheme, CsatCommentThemesArgs } from './themes.types.js';
import {
  CsatAgentSummariesArgs,
  CsatAgentSummaryConnection,
  CsatRatingConnection,
  CsatRatingsArgs,
  CsatSummary,
  CsatSummaryArgs,
  CsatTrendArgs,
  CsatTrendPoint,
} from './insights.types.js';

/** Insights are for the staff of a workspace, only their own: the workspace comes from the token, never from an argument. */
const STAFF: Access = { roles: ['agent', 'admin'], unauthenticated: 'insights need an agent or admin token', forbidden: 'insights are for agents and admins' };

/** The insights queries (docs/insights.md). */
@Authorized(STAFF)
@Resolver()
export class InsightsResolver {
  @Query(() => CsatRatingConnection, { description: 'Ratings of your workspace, filtered and ordered, by keyset cursor' })
  csatRatings(@Args(() => CsatRatingsArgs) args: CsatRatingsArgs, @Ctx() ctx: SignedInContext): Promise<CsatRatingConnection> {
    return csatRatings(ctx.em, ctx.viewer, args, ctx.log);
  }

  @Query(() => CsatSummary, { description: 'Count, average with its 95 % interval, distribution, satisfied share, response rate' })
  csatSummary(@Args(() => CsatSummaryArgs) args: CsatSummaryArgs, @Ctx() ctx: SignedInContext): Promise<CsatSummary> {
    return csatSummary(ctx.em, ctx.viewer, args, ctx.log);
  }

  @Query(() => CsatAgentSummaryConnection, { description: 'One summary per assignee at rating time, ranked (default: by the Wilson lower bound)' })
  csatAgentSummaries(@Args(() => CsatAgentSummariesArgs) args: CsatAgentSummariesArgs, @Ctx() ctx: SignedInContext): Promise<CsatAgentSummaryConnection> {
    return csatAgentSummaries(ctx.em, ctx.viewer, args, ctx.log);
  }

  @Query(() => [CsatTrendPoint], { description: 'The summary per day, ISO week or month of the period, in a time zone; empty buckets included (count 0)' })
  csatTrend(@Args(() => CsatTrendArgs) args: CsatTrendArgs, @Ctx() ctx: SignedInContext): Promise<CsatTrendPoint[]> {
    return csatTrend(ctx.em, ctx.viewer, args, ctx.log);
  }

  @Query(() => [CsatCommentTheme], { description: 'Terms much more frequent in 1-2 star comments than in 4-5 star ones, by the z-score of the weighted log-odds ratio (docs/insights.md, Themes)' })
  csatCommentThemes(@Args(() => CsatCommentThemesArgs) args: CsatCommentThemesArgs, @Ctx() ctx: SignedInContext): Promise<CsatCommentTheme[]> {
    return csatCommentThemes(ctx.em, ctx.viewer, args);
  }
}
