import { BadUserInputError } from '../errors/domain.errors.js';
import { COMMENT_MAX_CODE_POINTS, RATING_MAX, RATING_MIN } from '../rating/rating.rules.js';

/** A workspace's settings as the API gives them (and as a workspace without a row has them). */
export interface SettingsValues {
  enabled: boolean;
  badgePublic: boolean;
  badgeMinCount: number;
  unhappyMaxRating: number;
  vocalMinCommentLength: number;
  followUpBelow: number;
  /** The text search configuration csatCommentThemes reads comments in: a name in pg_ts_config. */
  commentLanguage: string;
}

export const DEFAULT_SETTINGS: Readonly<SettingsValues> = Object.freeze({
  enabled: true,
  badgePublic: false,
  badgeMinCount: 100,
  unhappyMaxRating: 2,
  vocalMinCommentLength: 200,
  // Repeated in Migration20261207030000's trigger (csat_rating_follow_up_rows), which cannot import it.
  followUpBelow: 2,
  commentLanguage: 'english',
});

/** Below this a published average says more about luck than about service (docs/settings.md). */
export const BADGE_MIN_COUNT_FLOOR = 30;
const BADGE_MIN_COUNT_MAX = 1_000_000_000;

export type SettingsChange = { [K in keyof SettingsValues]?: SettingsValues[K] | null };

function intIn(value: number | null | undefined, field: string, min: number, max: number): void {
  if (value === null || value === undefined) return;
  if (!Number.isInteger(value) || value < min || value > max) throw new BadUserInputError(`${field} must be an integer from ${min} to ${max}`, field);
}

/** Validates a partial change before any SQL runs (the table's CHECKs hold the same ranges). Absent or null: unchanged. */
export function validateSettingsChange(change: SettingsChange): void {
  intIn(change.badgeMinCount, 'badgeMinCount', BADGE_MIN_COUNT_FLOOR, BADGE_MIN_COUNT_MAX);
  intIn(change.unhappyMaxRating, 'unhappyMaxRating', RATING_MIN, RATING_MAX);
  intIn(change.vocalMinCommentLength, 'vocalMinCommentLength', 1, COMMENT_MAX_CODE_POINTS);
  intIn(change.followUpBelow, 'followUpBelow', 0, RATING_MAX);
  // Whether PostgreSQL has it is asked of pg_ts_config (settings.service.ts): this is only the shape.
  const lang = change.commentLanguage;
  if (lang !== null && lang !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(lang)) {
    throw new BadUserInputError('commentLanguage must be the name of a text search configuration (pg_ts_config), such as english or simple', 'commentLanguage');
  }
}
