import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Term counts of the 1-2 and 4-5 star comments per workspace, language, UTC day, rating and lexeme: what
 * csatCommentThemes reads for whole days, in the workspace's counted language (csat_term_language; docs/insights.md,
 * Comment themes). Kept by csat_rating's trigger csat_term_rollup (Migration20261207040000, Migration20261207060000);
 * a recount (term-recount.ts) writes a second language's rows beside them until it switches.
 */
@Entity({ tableName: 'csat_term_daily' })
export class CsatTermDaily {
  [PrimaryKeyProp]?: ['workspaceId', 'language', 'day', 'rating', 'term'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  /** The text search configuration (pg_ts_config) the lexemes are of. */
  @PrimaryKey({ type: 'text' })
  language!: string;

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
  [PrimaryKeyProp]?: ['workspaceId', 'language', 'day', 'rating', 'term'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'text' })
  language!: string;

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
