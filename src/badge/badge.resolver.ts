import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { isUuid } from '../auth/viewer.js';
import type { RequestContext } from '../server/context.js';
import { badgeFigures } from './badge.query.js';
import { CsatBadge } from './badge.type.js';

@Resolver(() => CsatBadge)
export class BadgeResolver {
  @Query(() => CsatBadge, {
    nullable: true,
    description: 'Public, no token needed: null unless the workspace published its badge and has at least badgeMinCount ratings',
  })
  async csatBadge(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: RequestContext): Promise<CsatBadge | null> {
    // A non-UUID names no workspace: null, like an unknown one (docs/webhooks.md, Decision).
    if (!isUuid(workspaceId)) return null;
    const key = workspaceId.toLowerCase();
    return ctx.shared.badges.get(key, async () => {
      const figures = await badgeFigures(ctx.em, key);
      if (!figures) return null;
      const { inconsistent, ...published } = figures;
      if (inconsistent) ctx.log.warn({ workspaceId: key, query: 'csatBadge' }, 'insights: inconsistent rollups, counts clamped (npm run rollups:check)');
      return { ...published, asOf: new Date().toISOString() };
    });
  }
}
