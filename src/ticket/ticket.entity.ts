import { EntityRepositoryType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { TicketRepository } from './ticket.repository.js';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/**
 * The helpdesk's `ticket` relation (a table or a view of that name), read and never written here:
 * `readonly` keeps it out of every flush, and orm.config.ts keeps it out of migrations. Only the
 * columns this subgraph reads are mapped (docs/contract.md, Database).
 */
@Entity({ tableName: 'ticket', readonly: true, repository: () => TicketRepository })
export class Ticket {
  [EntityRepositoryType]?: TicketRepository;

  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'uuid' })
  requesterId!: string;

  @Property({ type: 'uuid', nullable: true })
  assigneeId!: string | null;

  @Property({ type: 'text' })
  status!: TicketStatus;
}
