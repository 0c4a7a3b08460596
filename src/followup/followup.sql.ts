import { prepared } from '../db/prepared.statements.js';
import { instantSql } from '../db/sql.helpers.js';
import { FOLLOW_UP_WEBHOOK_CTES } from '../webhooks/follow-up.event.sql.js';

/**
 * setCsatFollowUp's one statement (one round trip, one transaction): the rating, the owner rule, the upsert and
 * the change's webhook event. The version, the times, the previous state and owner and the history row are the
 * triggers' (Migration20261207030000), so two calls at once are serialised by the row lock and numbered without gaps.
 *
 * **Decision: who may own a follow-up.** There is no users table (the helpdesk owns its users). An owner is
 * accepted when it is (a) the caller (any agent or admin of the workspace: "assign to me"), (b) an assignee of a
 * rated ticket of the workspace (csat_rating.assignee_id, on its (workspace, assignee) index), or (c) the
 * ticket's assignee today. Anything else is BAD_USER_INPUT on `ownerId`: an id nobody of the workspace was ever
 * assigned cannot be told from a typo.
 *
 * $1 workspace, $2 ticket, $3 caller, $4 owner (or null), $5 state, $6 owner given, $7 note (or null), $8 note given.
 * The rating itself is only read: a follow-up never changes it.
 */
export const SET_FOLLOW_UP_SQL = prepared(
  'csat_set_follow_up',
  `with r as (
     select workspace_id, ticket_id, rating from csat_rating where workspace_id = $1::uuid and ticket_id = $2::uuid
   ), owner_ok as (
     select $4::uuid is null or $4::uuid = $3::uuid
            or exists (select 1 from csat_rating k where k.workspace_id = $1::uuid and k.assignee_id = $4::uuid)
            or exists (select 1 from ticket t where t.id = $2::uuid and t.workspace_id = $1::uuid and t.assignee_id = $4::uuid) as ok
   ), up as (
     insert into csat_follow_up as f (workspace_id, ticket_id, state, owner_id, note, updated_by)
     select r.workspace_id, r.ticket_id, $5::text, $4::uuid, $7::text, $3::uuid from r where (select ok from owner_ok)
     on conflict (workspace_id, ticket_id) do update set
       state = excluded.state,
       owner_id = case when $6::boolean then excluded.owner_id else f.owner_id end,
       note = case when $8::boolean then excluded.note else f.note end,
       updated_by = excluded.updated_by
     returning f.workspace_id, f.ticket_id, f.state, f.owner_id, f.note, f.opened_at, f.updated_at, f.updated_by, f.version,
               f.previous_state, f.previous_owner_id
   ), ${FOLLOW_UP_WEBHOOK_CTES}
   select (select count(*) from r)::int as rated, (select ok from owner_ok) as owner_ok, (select count(*) from up)::int as changed,
          (select count(*) from fjobs)::int as enqueued`,
);

/**
 * The follow-ups of a page of tickets, with their histories, in one statement (the loader's batch, followup.loader.ts):
 * only the staff's own workspace.
 */
export const FOLLOW_UP_PAGE_SQL = prepared(
  'csat_follow_up_page',
  `select f.ticket_id, f.state, f.owner_id, f.note, ${instantSql('f.opened_at')} as opened_at, ${instantSql('f.updated_at')} as updated_at,
          f.updated_by, ${instantSql('f.done_at')} as done_at,
          (select coalesce(jsonb_agg(jsonb_build_object(
                    'version', c.version, 'at', ${instantSql('c.at')}, 'by', c.by, 'from', c.from_state, 'to', c.to_state,
                    'ownerFrom', c.from_owner_id, 'ownerTo', c.to_owner_id, 'note', c.note) order by c.version), '[]'::jsonb)
             from csat_follow_up_change c where c.workspace_id = f.workspace_id and c.ticket_id = f.ticket_id) as history
     from csat_follow_up f
    where f.workspace_id = $1::uuid and f.ticket_id = any($2::uuid[])`,
);
