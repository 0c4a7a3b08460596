// This service's database: the db/ layer's connection opened with this service's entities, and its migrations
// with what follows them. The wiring between db/ (which knows no feature) and the features' tables.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReplicaConfig, Timeouts } from './config/config.js';
import type { Logger } from './config/logger.js';
import { migrateUnderLock, openDatabase as openWith, type Database, type DatabaseOptions } from './db/database.js';
import { rebuildQueued } from './insights/rollup.rebuild.js';
import { kyselySession } from './insights/rollup.session.js';
import { REQUEUE_PENDING_SQL } from './insights/term-recount.sql.js';
import { SCHEMA } from './schema.entities.js';
import { installQueueSchema } from './webhooks/queue.schema.js';

export type { Database };

/** Connects to `url` with every entity of src/schema.entities.ts (see db/database.ts for the rest). */
export function openDatabase(url: string, logger: Logger, timeouts?: Timeouts, options?: DatabaseOptions, replicas?: ReplicaConfig): Promise<Database> {
  return openWith(url, SCHEMA, logger, timeouts, options, replicas);
}

/** Applies the pending migrations, then what each start needs after them, all under the migration lock. */
export function migrate(orm: MikroORM, logger?: Logger): Promise<string[]> {
  return migrateUnderLock(orm, async () => {
    // The job queue's schema too (graphile-worker's own migrations), under the same lock.
    await installQueueSchema(orm.config.get('clientUrl')!);
    // History the migrations queued for the rollups, after they committed: short transactions, older
    // replicas keep serving meanwhile (docs/insights.md, Rollups).
    const started = Date.now();
    const session = kyselySession(orm.em.getKysely());
    const rebuilt = await rebuildQueued(session, (w) => logger?.debug(w, 'rollups rebuilt from the rows'));
    if (rebuilt) logger?.info({ workspaces: rebuilt, ms: Date.now() - started }, 'rollups rebuilt from the rows');
    // A comment-themes recount under way gets its job again, whatever became of the one queued (docs/insights.md).
    const [{ queued } = { queued: 0 }] = await session.query<{ queued: number }>(REQUEUE_PENDING_SQL);
    if (queued) logger?.info({ workspaces: queued }, 'comment themes recounts queued again');
  });
}
