import { BadUserInputError } from '../errors/domain.errors.js';

export const RATING_MIN = 1;
export const RATING_MAX = 5;
/** Counted in Unicode code points, as PostgreSQL's char_length counts them (and the CHECK in the migration). */
export const COMMENT_MAX_CODE_POINTS = 2000;

/**
 * Unicode White_Space (and the BOM) at either end. String.prototype.trim misses U+0085 (NEL), which is
 * White_Space: a comment of only NEL would be stored instead of becoming null.
 */
const EDGE_WHITE_SPACE = /^[\p{White_Space}\uFEFF]+|[\p{White_Space}\uFEFF]+$/gu;

/** Refuses text PostgreSQL cannot store: NUL (text cannot hold it) and lone surrogates (UTF-8 cannot encode them). */
export function assertStorableText(text: string, field: string): void {
  if (!text.isWellFormed()) throw new BadUserInputError(`${field} contains an unpaired surrogate`, field);
  if (text.includes('\u0000')) throw new BadUserInputError(`${field} contains a NUL character`, field);
}

export interface RatingInput {
  rating: number;
  comment: string | null;
}

/** Validates and normalises rateTicket's input before any SQL runs. */
export function normaliseRatingInput(rating: number, comment: string | null | undefined): RatingInput {
  if (!Number.isInteger(rating) || rating < RATING_MIN || rating > RATING_MAX) {
    throw new BadUserInputError(`rating must be an integer from ${RATING_MIN} to ${RATING_MAX}`, 'rating');
  }
  if (comment === null || comment === undefined) return { rating, comment: null };
  assertStorableText(comment, 'comment');
  const trimmed = comment.replace(EDGE_WHITE_SPACE, '');
  if (trimmed === '') return { rating, comment: null };
  let codePoints = 0;
  for (const _ of trimmed) if (++codePoints > COMMENT_MAX_CODE_POINTS) break;
  if (codePoints > COMMENT_MAX_CODE_POINTS) {
    throw new BadUserInputError(`comment must be at most ${COMMENT_MAX_CODE_POINTS} characters`, 'comment');
  }
  return { rating, comment: trimmed };
}
