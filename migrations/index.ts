// Every migration of this subgraph's own tables, in order. Listed explicitly so the same code runs
// under tsx, vitest and a build. `npm run migration:create` writes new files here: add them below.
import { Migration20261126000000 } from './Migration20261126000000.js';
import { Migration20261202000000 } from './Migration20261202000000.js';
import { Migration20261202100000 } from './Migration20261202100000.js';
import { Migration20261202100100 } from './Migration20261202100100.js';
import { Migration20261206200000 } from './Migration20261206200000.js';
import { Migration20261207010000 } from './Migration20261207010000.js';
import { Migration20261207020000 } from './Migration20261207020000.js';
import { Migration20261207030000 } from './Migration20261207030000.js';
import { Migration20261207040000 } from './Migration20261207040000.js';
import { Migration20261207050000 } from './Migration20261207050000.js';
import { Migration20261207060000 } from './Migration20261207060000.js';
import { Migration20261207070000 } from './Migration20261207070000.js';
import { Migration20261207080000 } from './Migration20261207080000.js';

export const migrations = [
  { name: 'Migration20261126000000_csat_rating', class: Migration20261126000000 },
  { name: 'Migration20261202000000_csat_insights', class: Migration20261202000000 },
  { name: 'Migration20261202100000_csat_settings', class: Migration20261202100000 },
  { name: 'Migration20261202100100_csat_webhooks', class: Migration20261202100100 },
  { name: 'Migration20261206200000_csat_rollups_set_based', class: Migration20261206200000 },
  { name: 'Migration20261207010000_csat_trend_grains', class: Migration20261207010000 },
  { name: 'Migration20261207020000_csat_channels', class: Migration20261207020000 },
  { name: 'Migration20261207030000_csat_follow_ups', class: Migration20261207030000 },
  { name: 'Migration20261207040000_csat_comment_themes', class: Migration20261207040000 },
  { name: 'Migration20261207050000_csat_webhooks_by_workspace', class: Migration20261207050000 },
  { name: 'Migration20261207060000_csat_term_recount', class: Migration20261207060000 },
  { name: 'Migration20261207070000_csat_webhook_statistics', class: Migration20261207070000 },
  { name: 'Migration20261207080000_csat_workspace_statistics', class: Migration20261207080000 },
];
