import { prepared } from '../db/prepared.statements.js';
import { instantSql } from '../db/sql.helpers.js';
import { workspaceSettingsCte } from '../settings/settings.sql.js';
import { WEBHOOK_CTES } from '../webhooks/rating.event.sql.js';

/**
 * rateTicket's statement, owned here and kept ONE statement (one round trip, measured): find the ticket, insert the
 * rating if this requester may rate and nobody has, and return the stored rating. The primary key makes "first call
 * wins" the database's rule. Its parts, each written by the feature whose rule it is:
 *
 * | part | owner | what |
 * | `t`, `ins`, the final select | rating/ (this file) | the ticket, the insert, the stored rating |
 * | `s` | settings/settings.sql.ts | the workspace's switches (a disabled workspace stores nothing) |
 * | `hooks`, `ev`, `dl`, `jobs` | webhooks/rating.event.sql.ts | the event, its deliveries and their jobs |
 *
 * Figures (bench/README.md): `rateTicket` 239-625 ratings/s on 10 connections at 1.4-2.3 ms of PostgreSQL CPU per
 * rating with the set-based rollup triggers (run `npm run bench -- --only d` to compare); its plan is in
 * docs/performance.md (EXPLAIN of the hot statements).
 */
export const RATE_SQL = prepared(
  'csat_rate',
  `with t as (
     select id, workspace_id, requester_id, assignee_id, status from ticket where id = $1::uuid
   ), ${workspaceSettingsCte('select workspace_id from t')}, ins as (
     insert into csat_rating (workspace_id, ticket_id, rating, comment, rated_by, assignee_id, channel) -- issue 20: + channel ($7)
     select t.workspace_id, t.id, $2, $3, $4::uuid, t.assignee_id, $7::text
       from t
      where t.requester_id = $4::uuid and t.workspace_id = $5::uuid and t.status = any($6::text[])
        and (select s.enabled from s) -- settings: a disabled workspace stores nothing
     on conflict (workspace_id, ticket_id) do nothing
     returning workspace_id, ticket_id, rating, comment, rated_at, assignee_id, channel -- issue 20: + channel (webhooks)
   ), ${WEBHOOK_CTES}
   select t.id, t.workspace_id, t.requester_id, t.status,
          coalesce(ins.rating, r.rating) as rating,
          case when ins.rating is null then r.comment else ins.comment end as comment,
          ${instantSql('coalesce(ins.rated_at, r.rated_at)')} as rated_at,
          (select s.enabled from s) as csat_enabled, -- settings: tells the service CSAT_DISABLED from a conflict
          (select count(*) from jobs)::int as enqueued -- webhooks: referencing the jobs CTE is what runs it
     from t
     left join ins on true
     left join csat_rating r on r.workspace_id = t.workspace_id and r.ticket_id = t.id`,
);

/**
 * The stored rating, when a concurrent first rating committed after csat_rate's snapshot (ON CONFLICT sees it, the
 * snapshot does not): the second and last round trip, one primary-key lookup (3 buffers: docs/performance.md).
 */
export const STORED_SQL = prepared(
  'csat_stored_rating',
  `select rating, comment, ${instantSql('rated_at')} as rated_at from csat_rating where workspace_id = $1::uuid and ticket_id = $2::uuid`,
);
