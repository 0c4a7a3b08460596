import { defineEntity, p } from '@mikro-orm/core';

// The per-workspace grains of csatTrend (Migration20261207010000; docs/insights.md, "Which grain serves which
// trend"). Written only by the rollup triggers and the rebuild (src/insights/rollup.sql.ts), read only by
// trend.query.ts in SQL: described here so that the schema the entities make is the schema the migrations make.
//
// The four tables share one shape, the key (workspace, bucket[, star]) and two counts, so each is a bucket spread
// with a measure (defineEntity, MikroORM's schema-first API): the order of the spread is the order of the columns
// and of the primary key. The parts are functions so that no two tables share an options object (MikroORM may
// write into one); the types are strings, the column types the decorators this replaced gave.

/** A UTC day. */
const byDay = () => ({ workspaceId: p.type('uuid').primary(), day: p.type('date').primary() });
/** A UTC hour, by its first instant: the parts of a UTC day a bucket edge in another zone moves. */
const byHour = () => ({ workspaceId: p.type('uuid').primary(), hour: p.type('timestamptz').primary() });

/** Ratings per star, and of them, with a comment. */
const ratings = () => ({ rating: p.type('smallint').primary(), ratings: p.type('integer'), commented: p.type('integer') });
/** Offers (prompts shown), and of them, rated. */
const offers = () => ({ offered: p.type('integer'), rated: p.type('integer') });

/** Ratings per workspace, UTC day and star: a whole-workspace trend's days and months. */
export const CsatRatingDailyWs = defineEntity({ name: 'CsatRatingDailyWs', tableName: 'csat_rating_daily_ws', properties: { ...byDay(), ...ratings() } });

/** Ratings per workspace, UTC hour and star. */
export const CsatRatingHourlyWs = defineEntity({ name: 'CsatRatingHourlyWs', tableName: 'csat_rating_hourly_ws', properties: { ...byHour(), ...ratings() } });

/** Offers per workspace and UTC day (offered, and of them rated): a whole-workspace trend's response rate. */
export const CsatOfferDailyWs = defineEntity({ name: 'CsatOfferDailyWs', tableName: 'csat_offer_daily_ws', properties: { ...byDay(), ...offers() } });

/** Offers per workspace and UTC hour. */
export const CsatOfferHourlyWs = defineEntity({ name: 'CsatOfferHourlyWs', tableName: 'csat_offer_hourly_ws', properties: { ...byHour(), ...offers() } });
