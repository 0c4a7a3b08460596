import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Access } from '../auth/auth.checker.js';
import type { SignedInContext } from '../context/request.context.js';
import { readSettings, updateSettings } from './settings.service.js';
import { commentLanguageStatus } from '../insights/term-language.status.js';
import { CsatCommentLanguageStatusType, CsatSettingsInput, CsatSettingsType } from './settings.type.js';

/** Staff of the workspace read its settings; customers never (they hold nothing to act on). */
const STAFF: Access = { roles: ['agent', 'admin'], unauthenticated: 'csatSettings needs a staff token', forbidden: 'only agents and admins of the workspace read its CSAT settings' };
/** Admins change their own workspace's settings. */
const ADMINS: Access = { roles: ['admin'], unauthenticated: 'updateCsatSettings needs an admin token', forbidden: 'only admins change CSAT settings' };

@Resolver(() => CsatSettingsType)
export class SettingsResolver {
  @Authorized(STAFF)
  @Query(() => CsatSettingsType, { description: "The caller's workspace's CSAT settings (agents and admins)" })
  csatSettings(@Ctx() ctx: SignedInContext): Promise<CsatSettingsType> {
    return readSettings(ctx.em, ctx.viewer);
  }

  @Authorized(ADMINS)
  @Mutation(() => CsatSettingsType, { description: "Changes the caller's workspace's CSAT settings (admins only)" })
  updateCsatSettings(@Arg('input', () => CsatSettingsInput) input: CsatSettingsInput, @Ctx() ctx: SignedInContext): Promise<CsatSettingsType> {
    return updateSettings(ctx.em, ctx.viewer, input);
  }

  /** Only when selected: one statement (the settings' own read stays one). Authorized with the query or mutation that returned the settings. */
  @FieldResolver(() => CsatCommentLanguageStatusType, { description: 'Where the comment themes stand after commentLanguage changes (a recount runs in the background)' })
  commentLanguageStatus(@Root() settings: CsatSettingsType, @Ctx() ctx: SignedInContext): Promise<CsatCommentLanguageStatusType> {
    return commentLanguageStatus(ctx.em, settings.workspaceId, settings.commentLanguage);
  }
}
