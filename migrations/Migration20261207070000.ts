import { Migration } from '@mikro-orm/migrations';

const TABLES = ['csat_webhook', 'csat_event', 'csat_delivery', 'csat_delivery_attempt'];

/**
 * No statistics on the webhook tables' workspace_id (issue 19; docs/scale.md, Statistics). Their keys lead with it
 * (Migration20261207050000). Statistics taken while a workspace had no rows leave it out of the most common values,
 * which then cover every row: PostgreSQL estimates that workspace at one row until the next ANALYZE (after 10 % of
 * the table changed), every index leading with workspace_id then costs the same as the primary key, and on that
 * tie the planner may take one that finds the workspace alone: the worker's delivery load, its attempt's update and
 * the attempt's foreign-key check each read the whole workspace (the drain of 5,500 deliveries went from 9 s to
 * 26 s; 5,700 blocks per statement for a workspace of 3,000). Without statistics a workspace is taken for 1/200 of
 * the table, so a lookup by the full key always prefers the unique index. Every statement on these tables is such
 * a lookup or a list of one endpoint's deliveries; none needs a workspace's size.
 *
 * SET STATISTICS 0 alone stops new statistics but keeps the old ones: ANALYZE skips the column and leaves its row.
 * Altering the column to its own type is how a table owner (no superuser: managed PostgreSQL) drops them: no rewrite,
 * and the indexes and foreign keys are kept as they are (no expression index here): the same files after, and
 * 20 ms with 1,000,000 deliveries and 2,000,000 attempts, under the four tables' locks taken in the order
 * Migration20261207050000 explains.
 */
export class Migration20261207070000 extends Migration {
  override name = 'Migration20261207070000_csat_webhook_statistics';

  override up(): void | Promise<void> {
    this.addSql(`lock table ${TABLES.map((t) => `"${t}"`).join(', ')} in access exclusive mode;`);
    for (const table of TABLES) {
      this.addSql(`alter table "${table}" alter column "workspace_id" set statistics 0, alter column "workspace_id" type uuid;`);
    }
  }

  override down(): void | Promise<void> {
    // The next ANALYZE takes them again.
    for (const table of TABLES) this.addSql(`alter table "${table}" alter column "workspace_id" set statistics -1;`);
  }
}
