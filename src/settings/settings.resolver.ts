import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../server/context.js';
import { readSettings, updateSettings } from './settings.service.js';
import { CsatSettingsInput, CsatSettingsType } from './settings.type.js';

@Resolver(() => CsatSettingsType)
export class SettingsResolver {
  @Query(() => CsatSettingsType, { description: "The caller's workspace's CSAT settings (agents and admins)" })
  csatSettings(@Ctx() ctx: RequestContext): Promise<CsatSettingsType> {
    return readSettings(ctx.em, ctx.viewer);
  }

  @Mutation(() => CsatSettingsType, { description: "Changes the caller's workspace's CSAT settings (admins only)" })
  updateCsatSettings(@Arg('input', () => CsatSettingsInput) input: CsatSettingsInput, @Ctx() ctx: RequestContext): Promise<CsatSettingsType> {
    return updateSettings(ctx.em, ctx.viewer, input);
  }
}
