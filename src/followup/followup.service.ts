import type { EntityManager } from '@mikro-orm/postgresql';
import { isUuid, type Viewer } from '../auth/viewer.js';
import { sqlRows } from '../db/sql.helpers.js';
import { BadUserInputError, NotFoundError } from '../errors/domain.errors.js';
import { assertStorableText, COMMENT_MAX_CODE_POINTS } from '../rating/rating.rules.js';
import { SET_FOLLOW_UP_SQL } from './followup.sql.js';
import { FOLLOW_UP_STATES, type CsatFollowUpState } from './followup.state.js';

/** A note's limit: the comment's (2000 code points); the table's CHECK holds it too. */
export const NOTE_MAX_CODE_POINTS = COMMENT_MAX_CODE_POINTS;

export interface FollowUpChange {
  ticketId: string;
  state: CsatFollowUpState;
  /** undefined: keep; null: nobody. */
  ownerId?: string | null;
  /** undefined: keep; null or empty: none. */
  note?: string | null;
}

/** Checked before any SQL: a malformed id or an over-long note never reaches the database. */
function normalise(change: FollowUpChange): { ticketId: string; owner: string | null; ownerGiven: boolean; note: string | null; noteGiven: boolean } {
  if (!isUuid(change.ticketId)) throw new NotFoundError('no rating of this ticket in your workspace');
  if (!FOLLOW_UP_STATES.includes(change.state)) throw new BadUserInputError('state: OPEN, CONTACTED or DONE', 'state');
  const ownerGiven = change.ownerId !== undefined;
  if (ownerGiven && change.ownerId !== null && !isUuid(change.ownerId)) throw new BadUserInputError('ownerId: an agent id (a UUID) or null', 'ownerId');
  const noteGiven = change.note !== undefined;
  if (typeof change.note === 'string') assertStorableText(change.note, 'note');
  const note = change.note === undefined || change.note === null || change.note.trim() === '' ? null : change.note;
  if (note !== null && [...note].length > NOTE_MAX_CODE_POINTS) throw new BadUserInputError(`note: at most ${NOTE_MAX_CODE_POINTS} characters`, 'note');
  return { ticketId: change.ticketId.toLowerCase(), owner: change.ownerId?.toLowerCase() ?? null, ownerGiven, note, noteGiven };
}

/**
 * setCsatFollowUp: one statement (followup.sql.ts) opens or changes the follow-up of a rating of the caller's
 * workspace, appends its history (a trigger) and queues its webhook event. The caller is an agent or admin
 * (`@Authorized`, followup.resolver.ts). Returns the ticket id.
 */
export async function setFollowUp(em: EntityManager, staff: Viewer, change: FollowUpChange): Promise<string> {
  const c = normalise(change);
  const [row] = await sqlRows<{ rated: number; owner_ok: boolean; changed: number }>(em.getKysely(), SET_FOLLOW_UP_SQL, [
    staff.workspace,
    c.ticketId,
    staff.sub,
    c.owner,
    change.state,
    c.ownerGiven,
    c.note,
    c.noteGiven,
  ]);
  // Another workspace's ticket, an unrated one and an unknown id answer alike: nothing about them is revealed.
  if (!row || row.rated === 0) throw new NotFoundError('no rating of this ticket in your workspace');
  if (!row.owner_ok) throw new BadUserInputError('ownerId: not an agent of this workspace (yourself, or an agent it has assigned tickets to)', 'ownerId');
  if (row.changed !== 1) throw new Error(`setCsatFollowUp: no follow-up written for ticket ${c.ticketId}`);
  return c.ticketId;
}
