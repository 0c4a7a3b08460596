import { Entity, PrimaryKey } from '@mikro-orm/decorators/legacy';

/**
 * The workspaces whose offers and rollups migrate() still rebuilds from the rows (Migration20261206200000); a row
 * leaves with its workspace's last month, so a start cut short resumes where it stopped (rollup.rebuild.ts).
 */
@Entity({ tableName: 'csat_rollup_rebuild' })
export class CsatRollupRebuild {
  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;
}
