import { EntityRepositoryType } from '@mikro-orm/core';
import { Check, Entity, PrimaryKey, Property, Trigger } from '@mikro-orm/decorators/legacy';
import { CsatSettingsRepository } from './settings.repository.js';

/**
 * One workspace's CSAT switches. No row means the defaults (settings.rules.ts), so a workspace never
 * needs a setup step. The CHECKs are the same ranges settings.rules.ts reports field by field.
 */
@Entity({ tableName: 'csat_settings', repository: () => CsatSettingsRepository })
@Check({ name: 'csat_settings_badge_min_count', expression: 'badge_min_count >= 30' })
@Check({ name: 'csat_settings_unhappy_max_rating', expression: 'unhappy_max_rating >= 1 and unhappy_max_rating <= 5' })
@Check({ name: 'csat_settings_follow_up_below', expression: 'follow_up_below >= 0 and follow_up_below <= 5' })
@Check({ name: 'csat_settings_vocal_min_comment_length', expression: 'vocal_min_comment_length >= 1 and vocal_min_comment_length <= 2000' })
// Refuses a comment_language PostgreSQL does not have; a change records the term rollups' recount in csat_term_language
// and queues its job (Migration20261207040000, Migration20261207060000; insights/term-recount.ts).
@Trigger({
  name: 'csat_settings_language',
  timing: 'after',
  events: ['insert', 'update'],
  forEach: 'row',
  expression: 'create trigger csat_settings_language after insert or update on csat_settings for each row execute function csat_settings_language_changed()',
})
export class CsatSettings {
  [EntityRepositoryType]?: CsatSettingsRepository;

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'boolean', default: true })
  enabled!: boolean;

  @Property({ type: 'boolean', default: false })
  badgePublic!: boolean;

  @Property({ type: 'integer', default: 100 })
  badgeMinCount!: number;

  @Property({ type: 'smallint', default: 2 })
  unhappyMaxRating!: number;

  @Property({ type: 'integer', default: 200 })
  vocalMinCommentLength!: number;

  /** A new rating at or below this opens a follow-up (Migration20261207030000's trigger); 0: none. */
  @Property({ type: 'smallint', default: 2 })
  followUpBelow!: number;

  /** The text search configuration of its comments (pg_ts_config), for csatCommentThemes once recounted (csat_term_language). */
  @Property({ type: 'text', default: 'english' })
  commentLanguage!: string;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  updatedAt!: Date;

  /** The admin (token `sub`) who last changed them. */
  @Property({ type: 'uuid' })
  updatedBy!: string;
}
