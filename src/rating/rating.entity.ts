import { EntityRepositoryType, PrimaryKeyProp } from '@mikro-orm/core';
import { Check, Entity, Index, PrimaryKey, Property, Trigger } from '@mikro-orm/decorators/legacy';
import { CsatRatingRepository } from './rating.repository.js';

/**
 * One customer rating of one ticket. The primary key is the one-rating rule; it leads with
 * workspace_id so the table can be distributed or partitioned by workspace (docs/contract.md, Database).
 */
@Entity({ tableName: 'csat_rating', repository: () => CsatRatingRepository })
// Written as two comparisons: PostgreSQL rewrites BETWEEN, which makes migration:create see a diff forever.
@Check({ name: 'csat_rating_rating_range', expression: 'rating >= 1 and rating <= 5' })
@Check({ name: 'csat_rating_comment_length', expression: 'char_length(comment) >= 1 and char_length(comment) <= 2000' })
// issue 20 (Migration20261207020000): the channels a rating comes through.
@Check({ name: 'csat_rating_channel_check', expression: "channel in ('PORTAL', 'EMAIL')" })
// One index per list order, each again with assignee_id for the agent filter (Migration20261202000000,
// docs/insights.md). The rated-at ones cover what a summary reads from the rows (an index-only scan).
@Index({ name: 'csat_rating_rated_at_idx', properties: ['workspaceId', 'ratedAt', 'ticketId'], include: ['rating', 'commentLength', 'assigneeId'] })
@Index({ name: 'csat_rating_assignee_rated_at_idx', properties: ['workspaceId', 'assigneeId', 'ratedAt', 'ticketId'], include: ['rating', 'commentLength'] })
@Index({ name: 'csat_rating_rating_idx', properties: ['workspaceId', 'rating', 'ratedAt', 'ticketId'] })
@Index({ name: 'csat_rating_assignee_rating_idx', properties: ['workspaceId', 'assigneeId', 'rating', 'ratedAt', 'ticketId'] })
// Keys on (-rating): MikroORM models no expression keys, so these are raw DDL, which the schema diff matches by
// name only (an edit here is not a diff: write a migration). Copied from Migration20261202000000.
@Index({ name: 'csat_rating_rating_asc_idx', expression: 'create index "csat_rating_rating_asc_idx" on "csat_rating" ("workspace_id", (-rating), "rated_at", "ticket_id")' })
@Index({ name: 'csat_rating_assignee_rating_asc_idx', expression: 'create index "csat_rating_assignee_rating_asc_idx" on "csat_rating" ("workspace_id", "assignee_id", (-rating), "rated_at", "ticket_id")' })
@Index({ name: 'csat_rating_unhappy_idx', expression: 'create index "csat_rating_unhappy_idx" on "csat_rating" ("workspace_id", (-rating), "comment_length", "rated_at", "ticket_id")' })
@Index({ name: 'csat_rating_assignee_unhappy_idx', expression: 'create index "csat_rating_assignee_unhappy_idx" on "csat_rating" ("workspace_id", "assignee_id", (-rating), "comment_length", "rated_at", "ticket_id")' })
// Counts each inserted statement's ratings in the rollups and records their offers: plpgsql written by hand in
// Migration20261206200000 (csat_rating_rollup_rows). Declared by name so the schema diff keeps it; a change to it
// is a hand-written migration (the diff cannot see inside raw DDL).
@Trigger({
  name: 'csat_rating_rollup',
  timing: 'after',
  events: ['insert'],
  forEach: 'statement',
  expression: 'create trigger csat_rating_rollup after insert on csat_rating referencing new table as added for each statement execute function csat_rating_rollup_rows()',
})
// Opens a follow-up for each new rating at or below the workspace's followUpBelow (Migration20261207030000,
// csat_rating_follow_up_rows; docs/insights.md, Follow-ups): in the rating's transaction, csat_rate unchanged.
@Trigger({
  name: 'csat_rating_follow_up',
  timing: 'after',
  events: ['insert'],
  forEach: 'statement',
  expression: 'create trigger csat_rating_follow_up after insert on csat_rating referencing new table as added for each statement execute function csat_rating_follow_up_rows()',
})
// Counts the 1-2 and 4-5 star comments' terms in csat_term_daily/monthly (Migration20261207040000, csat_term_rollup_rows).
@Trigger({
  name: 'csat_term_rollup',
  timing: 'after',
  events: ['insert'],
  forEach: 'statement',
  expression: 'create trigger csat_term_rollup after insert on csat_rating referencing new table as added for each statement execute function csat_term_rollup_rows()',
})
export class CsatRating {
  [PrimaryKeyProp]?: ['workspaceId', 'ticketId'];
  [EntityRepositoryType]?: CsatRatingRepository;

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'smallint' })
  rating!: number;

  @Property({ type: 'text', nullable: true })
  comment!: string | null;

  /** The server's time of the accepted rateTicket call, to the millisecond: what clients see (RFC 3339). */
  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  ratedAt!: Date;

  /** The requester who rated (token `sub`). */
  @Property({ type: 'uuid' })
  ratedBy!: string;

  /** Code points of the comment, 0 without one: kept by PostgreSQL (a generated column), the UNHAPPY_FIRST key. */
  @Property({ type: 'integer', generated: '(coalesce(char_length(comment), 0)) stored' })
  commentLength!: number;

  /** issue 20: how the rating came in: PORTAL (rateTicket) or EMAIL (a rating link's page); Migration20261207020000. */
  @Property({ type: 'text', default: 'PORTAL' })
  channel!: 'PORTAL' | 'EMAIL';

  /** The ticket's assignee at the moment of rating: the per-agent quality signal. */
  @Property({ type: 'uuid', nullable: true })
  assigneeId!: string | null;
}
