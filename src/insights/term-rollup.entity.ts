import { PrimaryKeyProp, Routine } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Term counts of the 1-2 and 4-5 star comments per workspace, UTC day, rating and lexeme (the workspace's text
 * search configuration, csat_settings.comment_language): what csatCommentThemes reads for whole days
 * (docs/insights.md, Themes). Kept by csat_rating's trigger csat_term_rollup (Migration20261207040000).
 */
@Entity({ tableName: 'csat_term_daily' })
export class CsatTermDaily {
  [PrimaryKeyProp]?: ['workspaceId', 'day', 'rating', 'term'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @PrimaryKey({ type: 'smallint' })
  rating!: number;

  /** A lexeme of to_tsvector(comment_language, comment). */
  @PrimaryKey({ type: 'text' })
  term!: string;

  /** Comments holding the term. */
  @Property({ type: 'integer' })
  comments!: number;

  /** Its occurrences (positions in the tsvector): the counts the log-odds ratio compares. */
  @Property({ type: 'integer' })
  occurrences!: number;
}

/** The same per UTC month (`day` is the month's first day): what csatCommentThemes reads for whole months. */
@Entity({ tableName: 'csat_term_monthly' })
export class CsatTermMonthly {
  [PrimaryKeyProp]?: ['workspaceId', 'day', 'rating', 'term'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @PrimaryKey({ type: 'smallint' })
  rating!: number;

  @PrimaryKey({ type: 'text' })
  term!: string;

  @Property({ type: 'integer' })
  comments!: number;

  @Property({ type: 'integer' })
  occurrences!: number;
}

/**
 * A workspace's term rollups re-derived from its comments in its current comment_language, under every month's
 * lock (csat_settings' trigger csat_settings_language calls it on a change). Declared by name so the schema diff
 * keeps it; a change to it is a hand-written migration.
 */
export const csatTermRefill = new Routine({
  name: 'csat_term_refill',
  type: 'function',
  params: { ws: { type: 'uuid' } },
  returns: { runtimeType: 'any', columnType: 'void' },
  expression: 'create function csat_term_refill(ws uuid) returns void language plpgsql as $$ begin end $$',
});
