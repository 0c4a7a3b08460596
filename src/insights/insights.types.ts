import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../federation/date-time.scalar.js';
import { Connection } from '../federation/connection.type.js';
import { CsatFollowUpState } from '../followup/followup.state.js';
import { Ticket } from '../ticket/ticket.type.js';
import { COMMENT_MAX_CODE_POINTS, RATING_MAX, RATING_MIN } from '../rating/rating.rules.js';

// Insights' GraphQL types (docs/contract.md, Insights). Names are the contract's; objects are plain values
// read by graphql-js's default resolvers (a function-valued totalCount runs only when selected).

export enum CsatRatingOrder {
  RATED_AT_DESC = 'RATED_AT_DESC',
  RATED_AT_ASC = 'RATED_AT_ASC',
  RATING_ASC = 'RATING_ASC',
  RATING_DESC = 'RATING_DESC',
  UNHAPPY_FIRST = 'UNHAPPY_FIRST',
}
registerEnumType(CsatRatingOrder, { name: 'CsatRatingOrder', description: 'Every order ends with the ticket id (uuid order): total, so keyset paging neither repeats nor skips.' });

export enum CsatAgentOrder {
  SATISFIED_LOWER_BOUND_DESC = 'SATISFIED_LOWER_BOUND_DESC',
  AVERAGE_DESC = 'AVERAGE_DESC',
  AVERAGE_ASC = 'AVERAGE_ASC',
  COUNT_DESC = 'COUNT_DESC',
}
registerEnumType(CsatAgentOrder, { name: 'CsatAgentOrder', description: 'Ties: the row without an assignee last, then assignee id ascending.' });

@InputType('CsatRatingFilter', { description: 'All optional, combined with AND.' })
export class CsatRatingFilter {
  @Field(() => [ID], { nullable: true, description: 'The assignee at rating time (offer time for the response rate); 1 to 100 ids' })
  assigneeIds?: string[] | null;

  @Field(() => [Int], { nullable: true, description: 'Each 1..5' })
  ratings?: number[] | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Rated at or after (half-open period)' })
  ratedFrom?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Rated before' })
  ratedTo?: Date | null;

  @Field(() => Boolean, { nullable: true })
  hasComment?: boolean | null;

  @Field(() => Int, { nullable: true, description: `1..${COMMENT_MAX_CODE_POINTS} code points` })
  minCommentLength?: number | null;

  @Field(() => Boolean, { nullable: true, description: "The ticket's status today is neither resolved nor closed" })
  reopenedSinceRating?: boolean | null;

  @Field(() => [CsatFollowUpState], { nullable: true, description: 'Ratings whose follow-up is in one of these states: [OPEN, CONTACTED] is the follow-up queue' })
  followUp?: CsatFollowUpState[] | null;
}

@ArgsType()
export class CsatRatingsArgs {
  @Field(() => CsatRatingFilter, { nullable: true })
  filter?: CsatRatingFilter | null;

  @Field(() => CsatRatingOrder, { nullable: true, defaultValue: CsatRatingOrder.RATED_AT_DESC })
  orderBy?: CsatRatingOrder | null;

  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1..200' })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

@ArgsType()
export class CsatSummaryArgs {
  @Field(() => CsatRatingFilter, { nullable: true })
  filter?: CsatRatingFilter | null;
}

@ArgsType()
export class CsatAgentSummariesArgs {
  @Field(() => CsatRatingFilter, { nullable: true })
  filter?: CsatRatingFilter | null;

  @Field(() => CsatAgentOrder, { nullable: true, defaultValue: CsatAgentOrder.SATISFIED_LOWER_BOUND_DESC })
  orderBy?: CsatAgentOrder | null;

  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'Rows with at least this many ratings; at least 1' })
  minCount?: number | null;

  @Field(() => Int, { nullable: true, defaultValue: 50, description: '1..200' })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

@ObjectType('CsatRating')
export class CsatRatingNode {
  @Field(() => Ticket, { description: 'The entity: the gateway adds the Tickets subgraph\'s fields' })
  ticket!: Ticket;

  @Field(() => Int)
  rating!: number;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => Int, { description: 'Code points; 0 without a comment' })
  commentLength!: number;

  @Field(() => DateTimeScalar)
  ratedAt!: string;

  @Field(() => ID, { nullable: true, description: 'The assignee at the moment of rating' })
  assigneeId!: string | null;

  @Field(() => Boolean, { description: "The ticket's status today is neither resolved nor closed" })
  reopenedSinceRating!: boolean;
}

@ObjectType('CsatRatingConnection')
export class CsatRatingConnection extends Connection('CsatRating', CsatRatingNode) {
  @Field(() => Int, { description: 'Exact, for the same filter; computed only when selected' })
  totalCount!: number | (() => Promise<number>);
}

@ObjectType('Interval')
export class IntervalType {
  @Field(() => Float)
  low!: number;

  @Field(() => Float)
  high!: number;
}

@ObjectType('CsatBucket')
export class CsatBucket {
  @Field(() => Int)
  rating!: number;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true, description: 'null when there are no ratings' })
  share!: number | null;
}

@ObjectType('CsatSummary')
export class CsatSummary {
  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true })
  average!: number | null;

  @Field(() => IntervalType, { nullable: true, description: '95 % Student-t interval of the mean, clamped to [1, 5]; null when count < 2' })
  averageInterval!: IntervalType | null;

  @Field(() => [CsatBucket], { description: `Exactly ${RATING_MAX - RATING_MIN + 1} buckets, rating ${RATING_MIN}..${RATING_MAX}` })
  distribution!: CsatBucket[];

  @Field(() => Float, { nullable: true, description: 'Share of 4-5 ratings' })
  satisfiedShare!: number | null;

  @Field(() => IntervalType, { nullable: true, description: 'Wilson score interval, z = 1.959964' })
  satisfiedInterval!: IntervalType | null;

  @Field(() => Float, { nullable: true })
  commentShare!: number | null;

  @Field(() => Int, { description: "Prompts offered in the filter's period, to its assignees at offer time" })
  offered!: number;

  @Field(() => Float, { nullable: true, description: 'Share of those offers that were rated; null without offers' })
  responseRate!: number | null;

  @Field(() => IntervalType, { nullable: true, description: 'Wilson score interval of the response rate' })
  responseInterval!: IntervalType | null;

  @Field(() => Int, { description: "Follow-ups OPEN or CONTACTED of the filter's ratings (computed only when selected)" })
  followUpsOpen?: number | (() => Promise<number>);

  @Field(() => Float, { nullable: true, description: "Median seconds from the rating to DONE over the filter's ratings whose follow-up is DONE; null without any" })
  followUpMedianSecondsToDone?: number | null | (() => Promise<number | null>);
}

@ObjectType('CsatAgentSummary')
export class CsatAgentSummary extends CsatSummary {
  @Field(() => ID, { nullable: true, description: 'The assignee at rating time; null: the ratings without an assignee' })
  assigneeId!: string | null;
}

@ObjectType('CsatAgentSummaryConnection')
export class CsatAgentSummaryConnection extends Connection('CsatAgentSummary', CsatAgentSummary) {
  @Field(() => Int)
  totalCount!: number;
}

export enum CsatInterval {
  DAY = 'DAY',
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(CsatInterval, { name: 'CsatInterval', description: "A trend's bucket: a day, an ISO week (from Monday), a month; in the trend's time zone." });

@ArgsType()
export class CsatTrendArgs {
  @Field(() => CsatRatingFilter, { nullable: true, description: 'As csatSummary\'s; ratedFrom is required, ratedTo defaults to now' })
  filter?: CsatRatingFilter | null;

  @Field(() => CsatInterval)
  interval!: CsatInterval;

  @Field(() => String, { nullable: true, defaultValue: 'UTC', description: 'IANA time zone name the buckets are cut in (e.g. Europe/Berlin)' })
  timeZone?: string | null;
}

@ObjectType('CsatTrendPoint')
export class CsatTrendPoint {
  @Field(() => DateTimeScalar, { description: "The bucket's start in the period (the period's start for the first)" })
  start!: string;

  @Field(() => DateTimeScalar, { description: "The bucket's end, exclusive (the period's end for the last)" })
  end!: string;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true })
  average!: number | null;

  @Field(() => IntervalType, { nullable: true, description: '95 % Student-t interval of the mean, clamped to [1, 5]; null when count < 2' })
  averageInterval!: IntervalType | null;

  @Field(() => Float, { nullable: true, description: 'Share of 4-5 ratings' })
  satisfiedShare!: number | null;

  @Field(() => IntervalType, { nullable: true, description: 'Wilson score interval, z = 1.959964' })
  satisfiedInterval!: IntervalType | null;

  @Field(() => Int, { description: 'Prompts offered in the bucket, to the filter\'s assignees at offer time' })
  offered!: number;

  @Field(() => Float, { nullable: true, description: 'Share of those offers that were rated; null without offers' })
  responseRate!: number | null;

  @Field(() => IntervalType, { nullable: true, description: 'Wilson score interval of the response rate' })
  responseInterval!: IntervalType | null;
}
