import { EntityRepository } from '@mikro-orm/postgresql';
import { StartupError } from '../errors/startup.error.js';
import type { Ticket } from './ticket.entity.js';

export class TicketRepository extends EntityRepository<Ticket> {
  /** Fails the start, with a message a person can act on, when the `ticket` relation is missing or lacks a column. */
  async assertReadable(): Promise<void> {
    try {
      await this.createQueryBuilder('t').select(['id', 'workspaceId', 'requesterId', 'assigneeId', 'status']).limit(0).execute();
    } catch (err) {
      throw new StartupError(
        'This subgraph reads the helpdesk relation `ticket` (id, workspace_id, requester_id, assignee_id, status), ' +
          `and it is not usable in this database: ${(err as Error).message}. ` +
          'For local runs apply dev/ticket.schema.sql (npm run seed does it); in production expose a view named ticket.',
      );
    }
  }
}
