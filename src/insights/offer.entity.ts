import { PrimaryKeyProp } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * A CSAT prompt shown: the first time csatCanRate resolved true for the requester, or the rating itself when
 * rateTicket came first (a trigger on csat_rating records it). The response rate's denominator (docs/insights.md).
 */
@Entity({ tableName: 'csat_offer' })
export class CsatOffer {
  [PrimaryKeyProp]?: ['workspaceId', 'ticketId'];

  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid' })
  ticketId!: string;

  @Property({ type: 'timestamptz', length: 3, defaultRaw: 'now()' })
  offeredAt!: Date;

  /** The ticket's assignee when the prompt was shown: the response rate's attribution. */
  @Property({ type: 'uuid', nullable: true })
  assigneeId!: string | null;

  /** issue 20: the channel of the first offer (PORTAL: a portal page's prompt; EMAIL: csatRatingLinks), or the rating's when it came first. */
  @Property({ type: 'text', default: 'PORTAL' })
  channel!: 'PORTAL' | 'EMAIL';

  /** Set by the rating's trigger when the ticket is rated (at any time). */
  @Property({ type: 'boolean', default: false })
  rated!: boolean;
}
