import { defineEntity, p } from '@mikro-orm/core';

// Term counts of the 1-2 and 4-5 star comments per workspace, language, UTC day (or month), rating and lexeme: what
// csatCommentThemes reads for whole days and months, in the workspace's counted language (csat_term_language;
// docs/insights.md, Comment themes). Kept by csat_rating's trigger csat_term_rollup (Migration20261207040000,
// Migration20261207060000); a recount (term-recount.ts) writes a second language's rows beside them until it switches.
// The two tables share one shape, built as the trend grains are (trend-rollup.entity.ts): the order of the properties
// is the order of the columns and of the primary key; a function, so that no two tables share an options object.
const termCounts = () => ({
  workspaceId: p.type('uuid').primary(),
  /** The text search configuration (pg_ts_config) the lexemes are of. */
  language: p.type('text').primary(),
  /** The UTC day; in the monthly table the month's first day. */
  day: p.type('date').primary(),
  rating: p.type('smallint').primary(),
  /** A lexeme of to_tsvector(language, comment). */
  term: p.type('text').primary(),
  /** Comments holding the term. */
  comments: p.type('integer'),
  /** Its occurrences (positions in the tsvector): the counts the log-odds ratio compares. */
  occurrences: p.type('integer'),
});

/** Per UTC day: the whole days of a period. */
export const CsatTermDaily = defineEntity({ name: 'CsatTermDaily', tableName: 'csat_term_daily', properties: termCounts() });

/** Per UTC month: the whole months of a period. */
export const CsatTermMonthly = defineEntity({ name: 'CsatTermMonthly', tableName: 'csat_term_monthly', properties: termCounts() });
