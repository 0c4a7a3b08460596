import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { isUuid } from '../auth/viewer.js';
import type { RequestContext } from '../context/request.context.js';
import type { BadgeCache } from './badge.cache.js';
import { badgeFigures } from './badge.query.js';
import { CsatBadge } from './badge.type.js';

@Resolver(() => CsatBadge)
export class BadgeResolver {
  /** The service's one cache of published figures (it outlives requests). */
  constructor(private readonly badges: BadgeCache<CsatBadge | null>) {}

  @Query(() => CsatBadge, {
    nullable: true,
    description: 'Public, no token needed: null unless the workspace published its badge and has at least badgeMinCount ratings',
  })
  async csatBadge(@Arg('workspaceId', () => ID) workspaceId: string, @Ctx() ctx: RequestContext): Promise<CsatBadge | null> {
    // A non-UUID names no workspace: null, like an unknown one (docs/settings.md, Decision).
    if (!isUuid(workspaceId)) return null;
    const key = workspaceId.toLowerCase();
    return this.badges.get(key, async () => {
      const figures = await badgeFigures(ctx.em, key);
      if (!figures) return null;
      const { inconsistent, ...published } = figures;
      if (inconsistent) ctx.log.warn({ workspaceId: key, query: 'csatBadge' }, 'insights: inconsistent rollups, counts clamped (npm run rollups:check)');
      return { ...published, asOf: new Date().toISOString() };
    });
  }
}
