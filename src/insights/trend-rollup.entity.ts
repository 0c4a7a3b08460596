import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

// The per-workspace grains of csatTrend (Migration20261207010000; docs/insights.md, "Which grain serves which
// trend"). Written only by the rollup triggers and the rebuild (src/insights/rollup.sql.ts), read only by
// trend.query.ts in SQL: described here so that the schema the entities make is the schema the migrations make.

/** Ratings per workspace, UTC day and star: a whole-workspace trend's days and months. */
@Entity({ tableName: 'csat_rating_daily_ws' })
export class CsatRatingDailyWs {
  [PrimaryKeyProp]?: ['workspaceId', 'day', 'rating'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @PrimaryKey({ type: 'smallint' })
  rating!: number;

  @Property({ type: 'integer' })
  ratings!: number;

  /** Of them, with a comment. */
  @Property({ type: 'integer' })
  commented!: number;
}

/** Ratings per workspace, UTC hour and star: the parts of a UTC day a bucket edge in another zone moves. */
@Entity({ tableName: 'csat_rating_hourly_ws' })
export class CsatRatingHourlyWs {
  [PrimaryKeyProp]?: ['workspaceId', 'hour', 'rating'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  /** The hour's first instant (UTC). */
  @PrimaryKey({ type: 'timestamptz' })
  hour!: Date;

  @PrimaryKey({ type: 'smallint' })
  rating!: number;

  @Property({ type: 'integer' })
  ratings!: number;

  @Property({ type: 'integer' })
  commented!: number;
}

/** Offers per workspace and UTC day (offered, and of them rated): a whole-workspace trend's response rate. */
@Entity({ tableName: 'csat_offer_daily_ws' })
export class CsatOfferDailyWs {
  [PrimaryKeyProp]?: ['workspaceId', 'day'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'date' })
  day!: string;

  @Property({ type: 'integer' })
  offered!: number;

  @Property({ type: 'integer' })
  rated!: number;
}

/** Offers per workspace and UTC hour. */
@Entity({ tableName: 'csat_offer_hourly_ws' })
export class CsatOfferHourlyWs {
  [PrimaryKeyProp]?: ['workspaceId', 'hour'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'timestamptz' })
  hour!: Date;

  @Property({ type: 'integer' })
  offered!: number;

  @Property({ type: 'integer' })
  rated!: number;
}
