import { createHash } from 'node:crypto';
import { isUuid } from '../auth/viewer.js';
import { BadUserInputError } from '../errors/domain.errors.js';
import type { CursorScope } from '../federation/cursor.codec.js';
import { FOLLOW_UP_STATES, type CsatFollowUpState } from '../followup/followup.state.js';
import type { CsatRatingFilter } from './insights.types.js';
import { COMMENT_MAX_CODE_POINTS, RATING_MAX, RATING_MIN } from '../rating/rating.rules.js';

/** A filter checked and put in one canonical form: lists sorted and without repeats, ids lower-case. */
export interface Filter {
  assigneeIds: string[] | null;
  ratings: number[] | null;
  ratedFrom: Date | null;
  ratedTo: Date | null;
  hasComment: boolean | null;
  minCommentLength: number | null;
  reopenedSinceRating: boolean | null;
  /** Ratings whose follow-up is in one of these states (the follow-up queue: OPEN, CONTACTED). */
  followUp: CsatFollowUpState[] | null;
}

export const MAX_ASSIGNEE_IDS = 100;
export const MAX_PAGE = 200;
const MAX_MIN_COMMENT_LENGTH = COMMENT_MAX_CODE_POINTS;

const bad = (field: string, message: string) => new BadUserInputError(`${field}: ${message}`, field);

/** Validates a filter before any SQL; `extensions.field` names the part (`filter.assigneeIds`, …). */
export function normaliseFilter(input: CsatRatingFilter | null | undefined): Filter {
  const f = input ?? {};
  let assigneeIds: string[] | null = null;
  if (f.assigneeIds !== undefined && f.assigneeIds !== null) {
    if (f.assigneeIds.length === 0) throw bad('filter.assigneeIds', 'give 1 to 100 ids, or leave it out');
    if (f.assigneeIds.length > MAX_ASSIGNEE_IDS) throw bad('filter.assigneeIds', `at most ${MAX_ASSIGNEE_IDS} ids`);
    if (!f.assigneeIds.every(isUuid)) throw bad('filter.assigneeIds', 'every id must be a UUID');
    assigneeIds = [...new Set(f.assigneeIds.map((id) => id.toLowerCase()))].sort();
  }
  let ratings: number[] | null = null;
  if (f.ratings !== undefined && f.ratings !== null) {
    if (f.ratings.length === 0) throw bad('filter.ratings', `give ${RATING_MIN} to ${RATING_MAX} ratings, or leave it out`);
    if (!f.ratings.every((r) => Number.isInteger(r) && r >= RATING_MIN && r <= RATING_MAX)) throw bad('filter.ratings', `each rating is ${RATING_MIN}..${RATING_MAX}`);
    ratings = [...new Set(f.ratings)].sort((a, b) => a - b);
  }
  const ratedFrom = f.ratedFrom ?? null;
  const ratedTo = f.ratedTo ?? null;
  if (ratedFrom && ratedTo && ratedFrom.getTime() > ratedTo.getTime()) throw bad('filter.ratedFrom', 'ratedFrom must not be after ratedTo');
  const minCommentLength = f.minCommentLength ?? null;
  if (minCommentLength !== null && !(Number.isInteger(minCommentLength) && minCommentLength >= 1 && minCommentLength <= MAX_MIN_COMMENT_LENGTH)) {
    throw bad('filter.minCommentLength', `must be 1..${MAX_MIN_COMMENT_LENGTH}`);
  }
  let followUp: CsatFollowUpState[] | null = null;
  if (f.followUp !== undefined && f.followUp !== null) {
    if (f.followUp.length === 0) throw bad('filter.followUp', 'give 1 to 3 states, or leave it out');
    followUp = FOLLOW_UP_STATES.filter((s) => f.followUp!.includes(s));
  }
  return { assigneeIds, ratings, ratedFrom, ratedTo, hasComment: f.hasComment ?? null, minCommentLength, reopenedSinceRating: f.reopenedSinceRating ?? null, followUp };
}

export function checkFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw bad('first', `must be 1..${MAX_PAGE}`);
}

export function checkMinCount(minCount: number): void {
  if (!Number.isInteger(minCount) || minCount < 1) throw bad('minCount', 'must be at least 1');
}

/** A short hash of the canonical filter (and anything else a cursor is bound to): equal for lists in any order. */
export function filterHash(filter: Filter, extra: Record<string, unknown> = {}): string {
  const canonical = JSON.stringify({ ...filter, ratedFrom: filter.ratedFrom?.toISOString() ?? null, ratedTo: filter.ratedTo?.toISOString() ?? null, ...extra });
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

/** True when the rollups can answer: only the workspace, assignee, rating and period parts are set. */
export function rollupAnswers(filter: Filter): boolean {
  return filter.hasComment === null && filter.minCommentLength === null && filter.reopenedSinceRating === null && filter.followUp === null;
}

/** The cursors of an insights connection: cut under its order and the hash of its filter (filterHash). */
export const insightsCursor = (order: string, hash: string): CursorScope => ({ order, scope: hash, foreign: 'after: not a cursor of this connection, order and filter' });
