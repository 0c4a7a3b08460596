import { CsatFollowUp, CsatFollowUpChange } from './followup/followup.entity.js';
import { CsatOffer } from './insights/offer.entity.js';
import { CsatRollupRebuild } from './insights/rollup-rebuild.entity.js';
import { CsatOfferDailyWs, CsatOfferHourlyWs, CsatRatingDailyWs, CsatRatingHourlyWs } from './insights/trend-rollup.entity.js';
import { csatRollupLock } from './insights/rollup.routines.js';
import { CsatTermLanguage, csatTermLanguageLock } from './insights/term-language.entity.js';
import { CsatTermDaily, CsatTermMonthly } from './insights/term-rollup.entity.js';
import { CsatRating } from './rating/rating.entity.js';
import { CsatSettings } from './settings/settings.entity.js';
import { Ticket } from './ticket/ticket.entity.js';
import { CsatDelivery, CsatDeliveryAttempt, CsatEvent, CsatWebhook } from './webhooks/webhook.entities.js';
import type { OrmSchema } from './db/orm.config.js';

/**
 * The one list of this service's tables, for the ORM and for `npm run migration:create`: a new entity is one line
 * here. test/schema.diff.test.ts holds it to the database the migrations build (the diff must be empty).
 */
export const SCHEMA: OrmSchema = {
  entities: [
    CsatRating,
    CsatOffer,
    CsatRollupRebuild,
    // The per-workspace trend grains (Migration20261207010000): keyed by their bucket, so entities like any table.
    CsatRatingDailyWs,
    CsatRatingHourlyWs,
    CsatOfferDailyWs,
    CsatOfferHourlyWs,
    // The comment themes' term counts (Migration20261207040000): keyed by (workspace, language, day, rating, term);
    // the language they are complete in and the recount to another (Migration20261207060000).
    CsatTermDaily,
    CsatTermMonthly,
    CsatTermLanguage,
    CsatSettings,
    CsatFollowUp,
    CsatFollowUpChange,
    CsatWebhook,
    CsatEvent,
    CsatDelivery,
    CsatDeliveryAttempt,
    // The helpdesk's relation, read-only: mapped for reads, never diffed (skipped below).
    Ticket,
  ],
  // The trigger functions are their triggers' (declared on the entities); these are the other functions.
  routines: [csatRollupLock, csatTermLanguageLock],
  /**
   * Tables the schema diff leaves alone, each for a reason MikroORM cannot model:
   * - `ticket`: the helpdesk owns it (a table or a view); this subgraph never creates, alters or drops it.
   * - the rollups (Migration20261202000000, docs/insights.md): they have no primary key, only a unique key with
   *   NULLS NOT DISTINCT (a null assignee is "none", one bucket), and every MikroORM entity needs a primary key.
   *   insights/rollup.sql.ts writes and reads them.
   */
  skipTables: ['ticket', 'csat_rating_daily', 'csat_rating_monthly', 'csat_offer_daily', 'csat_offer_monthly'],
};
