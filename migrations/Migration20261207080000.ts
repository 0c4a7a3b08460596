import { Migration } from '@mikro-orm/migrations';

/**
 * Our tables where a workspace has many rows, each keyed (and most indexed more than once) with workspace_id first.
 * Not the webhook tables (no statistics there: Migration20261207070000) nor those with one row per workspace
 * (csat_settings, csat_term_language, csat_rollup_rebuild: workspace_id is their whole key, so never estimated
 * from the most common values). test/workspace.statistics.test.ts holds every such table of ours to this rule.
 */
const WORKSPACE_STATISTICS_TABLES = [
  'csat_rating',
  'csat_offer',
  'csat_follow_up',
  'csat_follow_up_change',
  'csat_rating_daily',
  'csat_rating_monthly',
  'csat_rating_daily_ws',
  'csat_rating_hourly_ws',
  'csat_offer_daily',
  'csat_offer_monthly',
  'csat_offer_daily_ws',
  'csat_offer_hourly_ws',
  'csat_term_daily',
  'csat_term_monthly',
];

/**
 * One most common value at most for workspace_id (issue 19; docs/scale.md, Statistics). With the default target
 * (100), a deployment of up to 100 workspaces has every one of them in the most common values, which then cover
 * every row: a workspace that had no rows when the statistics were taken is estimated at one row until the next
 * ANALYZE (autovacuum: after 10 % of the table changed). A lookup by the full key then prefers an index that finds
 * the workspace alone and reads all of it: a new workspace of 20,000 ratings read 20,181 blocks for one `_entities`
 * page of 50 and 252 for one ticket by its key, instead of 199 and 4. With at most one most common value,
 * any table of two workspaces or more leaves some rows to the others, and an unseen workspace is taken for their
 * average. The largest workspace keeps its exact share, so the insights' plans for it are the same.
 *
 * Unlike the webhook tables' target 0, this keeps statistics, so no column is altered (which would rebuild
 * csat_rating's expression indexes under an exclusive lock). ALTER … SET STATISTICS and ANALYZE take a share update
 * exclusive lock, which ratings and reads do not wait for. The whole table is analyzed, not the one column: the
 * sample is 300 rows per unit of the largest target among the columns analyzed, so workspace_id alone (1) would
 * estimate its distinct workspaces from 300 rows.
 */
export class Migration20261207080000 extends Migration {
  override name = 'Migration20261207080000_csat_workspace_statistics';

  override up(): void | Promise<void> {
    for (const table of WORKSPACE_STATISTICS_TABLES) this.addSql(`alter table "${table}" alter column "workspace_id" set statistics 1;`);
    // The statistics from before, with every workspace among the most common values, replaced now rather than after
    // the next 10 % of each table.
    this.addSql(`analyze ${WORKSPACE_STATISTICS_TABLES.map((t) => `"${t}"`).join(', ')};`);
  }

  override down(): void | Promise<void> {
    for (const table of WORKSPACE_STATISTICS_TABLES) this.addSql(`alter table "${table}" alter column "workspace_id" set statistics -1;`);
  }
}
