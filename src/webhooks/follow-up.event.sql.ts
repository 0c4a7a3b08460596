import { instantSql } from '../db/sql.helpers.js';
import { deliveryJobPayload, DELIVER_TASK } from './rating.event.sql.js';

/** The event type on the wire: a follow-up was changed by staff (setCsatFollowUp). */
export const FOLLOW_UP_UPDATED = 'csat.follow_up.updated';

/**
 * The CTEs setCsatFollowUp's statement (followup/followup.sql.ts) appends after its `up` (the changed follow-up,
 * with its previous state and owner) and `r` (the rating): the event, one delivery per endpoint that chose it, and
 * one graphile-worker job per delivery (one add_jobs call), in the change's own statement and transaction, as
 * csat_rate does for ratings (rating.event.sql.ts). Nothing runs when nothing changed or no endpoint wants it;
 * the main query must reference `fjobs`. **Decision**: `onlyUnhappy` filters rating events only (a follow-up is
 * about an unhappy rating already, or one staff chose to follow up).
 */
export const FOLLOW_UP_WEBHOOK_CTES = `fhooks as ( -- webhooks: the endpoints that chose follow-up events
     select w.id, up.workspace_id from csat_webhook w join up on w.workspace_id = up.workspace_id
      where '${FOLLOW_UP_UPDATED}' = any(w.events)
   ), fev as ( -- webhooks: the event, only when some endpoint wants it
     insert into csat_event (workspace_id, type, payload)
     select up.workspace_id, '${FOLLOW_UP_UPDATED}', jsonb_build_object(
              'type', '${FOLLOW_UP_UPDATED}',
              'timestamp', ${instantSql('up.updated_at')},
              'data', jsonb_build_object(
                'workspaceId', up.workspace_id, 'ticketId', up.ticket_id, 'rating', r.rating,
                'state', up.state, 'previousState', up.previous_state,
                'ownerId', up.owner_id, 'previousOwnerId', up.previous_owner_id, 'note', up.note,
                'changedBy', up.updated_by, 'changedAt', ${instantSql('up.updated_at')},
                'openedAt', ${instantSql('up.opened_at')}, 'version', up.version))
       from up join r on r.ticket_id = up.ticket_id
      where exists (select 1 from fhooks)
     returning id, workspace_id
   ), fdl as ( -- webhooks: one delivery per endpoint
     insert into csat_delivery (workspace_id, event_id, webhook_id)
     select fev.workspace_id, fev.id, fhooks.id from fev cross join fhooks
     returning id, workspace_id
   ), fjobs as ( -- webhooks: graphile-worker's bulk enqueue, as csat_rate's jobs
     select graphile_worker.add_jobs(array_agg(row('${DELIVER_TASK}', ${deliveryJobPayload('fdl')}, null, null, null,
              null, null, null)::graphile_worker.job_spec)) as job
       from fdl having count(*) > 0
   )`;
