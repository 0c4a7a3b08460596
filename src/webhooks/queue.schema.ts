import { Logger, runMigrations } from 'graphile-worker';

/** graphile-worker's own log lines are for its developers; ours say what happened to deliveries. */
export const quietGraphileLogger = new Logger(() => () => {});

/**
 * Installs or upgrades graphile-worker's schema (`graphile_worker`), which csat_rate calls into
 * (`graphile_worker.add_job`): so every instance needs it, worker or not. Run under the migration lock.
 */
export async function installQueueSchema(connectionString: string): Promise<void> {
  await runMigrations({ connectionString, logger: quietGraphileLogger });
}
