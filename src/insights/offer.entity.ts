import { PrimaryKeyProp } from '@mikro-orm/core';
import { Check, Entity, Index, PrimaryKey, Property, Trigger } from '@mikro-orm/decorators/legacy';

/**
 * A CSAT prompt shown: the first time csatCanRate resolved true for the requester, or the rating itself when
 * rateTicket came first (a trigger on csat_rating records it). The response rate's denominator (docs/insights.md).
 */
@Entity({ tableName: 'csat_offer' })
// issue 20 (Migration20261207020000): the channels an offer is made through.
@Check({ name: 'csat_offer_channel_check', expression: "channel in ('PORTAL', 'EMAIL')" })
// Covering the response rate's reads: an index-only scan per workspace (and per assignee). Migration20261202000000.
@Index({ name: 'csat_offer_offered_at_idx', properties: ['workspaceId', 'offeredAt'], include: ['assigneeId', 'rated'] })
@Index({ name: 'csat_offer_assignee_idx', properties: ['workspaceId', 'assigneeId', 'offeredAt'], include: ['rated'] })
// Counts inserted offers in the offer rollups: plpgsql written by hand in Migration20261206200000
// (csat_offer_rollup_rows). Declared by name so the schema diff keeps it; a change to it is a hand-written migration.
@Trigger({
  name: 'csat_offer_rollup',
  timing: 'after',
  events: ['insert'],
  forEach: 'statement',
  expression: 'create trigger csat_offer_rollup after insert on csat_offer referencing new table as added for each statement execute function csat_offer_rollup_rows()',
})
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
