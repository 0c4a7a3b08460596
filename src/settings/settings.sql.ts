import { DEFAULT_SETTINGS } from './settings.rules.js';

/**
 * Settings' part of rateTicket's one statement (rating/rate.statement.ts): the CTE `s`, one row with the rating
 * ticket's workspace's switches, or the defaults without a settings row (settings.rules.ts, their one source).
 * `workspaceSql` is the subquery that names the workspace.
 */
export const workspaceSettingsCte = (workspaceSql: string) => `s as ( -- settings: the workspace's row, or the defaults
     select coalesce(x.enabled, ${DEFAULT_SETTINGS.enabled}) as enabled,
            coalesce(x.unhappy_max_rating, ${DEFAULT_SETTINGS.unhappyMaxRating}) as unhappy_max_rating,
            coalesce(x.vocal_min_comment_length, ${DEFAULT_SETTINGS.vocalMinCommentLength}) as vocal_min_comment_length
       from (values (1)) as one (n)
       left join csat_settings x on x.workspace_id = (${workspaceSql})
   )`;
