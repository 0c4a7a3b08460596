import { Routine } from '@mikro-orm/core';
import { Check, Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * The language of a workspace's term rollups, and the recount to another one (Migration20261207060000;
 * docs/insights.md, Comment themes). No row: english, nothing under way. csat_settings' trigger
 * csat_settings_language writes the recount when comment_language changes; term-recount.ts works it off in short
 * steps and switches `language` when the new rows are complete. csat_rating's term trigger reads it to know which
 * languages a new comment counts in.
 */
@Entity({ tableName: 'csat_term_language' })
@Check({ name: 'csat_term_language_recount_check', expression: 'recount_language <> language' })
export class CsatTermLanguage {
  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  /** What the term rollups are complete in: the language csatCommentThemes answers in. */
  @Property({ type: 'text', default: 'english' })
  language!: string;

  /** The language being counted (csat_settings.comment_language when it differs from `language`); null: none. */
  @Property({ type: 'text', nullable: true })
  recountLanguage!: string | null;

  /** The UTC month (its first day) the recount works through; null between months. */
  @Property({ type: 'date', nullable: true })
  recountMonth!: string | null;

  /** In that month, the comments up to this (rated_at, ticket_id) are counted; null: none yet. */
  @Property({ type: 'timestamptz', length: 3, nullable: true })
  recountAfterAt!: Date | null;

  @Property({ type: 'uuid', nullable: true })
  recountAfterTicket!: string | null;

  /** Every month up to this one is counted; null: none. */
  @Property({ type: 'date', nullable: true })
  recountDoneThrough!: string | null;

  /** Months counted, of `recountMonths` (the months with comments when the change was made): the progress shown. */
  @Property({ type: 'integer', default: 0 })
  recountMonthsDone!: number;

  @Property({ type: 'integer', default: 0 })
  recountMonths!: number;

  @Property({ type: 'timestamptz', length: 3, nullable: true })
  recountRequestedAt!: Date | null;
}

/**
 * A workspace's language lock key: taken shared by csat_rating's term trigger before it reads the languages,
 * exclusively by a language change and by a recount's switch. Declared by name so the schema diff keeps it; a
 * change to it is a hand-written migration.
 */
export const csatTermLanguageLock = new Routine({
  name: 'csat_term_language_lock',
  type: 'function',
  params: { ws: { type: 'uuid' } },
  returns: { runtimeType: 'string', columnType: 'bigint' },
  expression: 'create function csat_term_language_lock(ws uuid) returns bigint language sql immutable parallel safe as $$ select 0::bigint $$',
});
