import { EntityRepositoryType, PrimaryKeyProp } from '@mikro-orm/core';
import { Check, Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { CsatRatingRepository } from './rating.repository.js';

/**
 * One customer rating of one ticket. The primary key is the one-rating rule; it leads with
 * workspace_id so the table can be distributed or partitioned by workspace (docs/contract.md, Database).
 */
@Entity({ tableName: 'csat_rating', repository: () => CsatRatingRepository })
// Written as two comparisons: PostgreSQL rewrites BETWEEN, which makes migration:create see a diff forever.
@Check({ name: 'csat_rating_rating_range', expression: 'rating >= 1 and rating <= 5' })
@Check({ name: 'csat_rating_comment_length', expression: 'char_length(comment) >= 1 and char_length(comment) <= 2000' })
// The list orders' indexes (some on -rating) are in Migration20261202000000 (docs/insights.md).
@Index({ name: 'csat_rating_rated_at_idx', properties: ['workspaceId', 'ratedAt', 'ticketId'] })
@Index({ name: 'csat_rating_assignee_rated_at_idx', properties: ['workspaceId', 'assigneeId', 'ratedAt', 'ticketId'] })
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
  @Property({ type: 'integer', generated: '(coalesce(char_length(comment), 0)) stored', persist: false })
  commentLength!: number;

  /** issue 20: how the rating came in: PORTAL (rateTicket) or EMAIL (a rating link's page); Migration20261207020000. */
  @Property({ type: 'text', default: 'PORTAL' })
  channel!: 'PORTAL' | 'EMAIL';

  /** The ticket's assignee at the moment of rating: the per-agent quality signal. */
  @Property({ type: 'uuid', nullable: true })
  assigneeId!: string | null;
}
