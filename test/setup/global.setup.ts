// Before any test file: the build (the process tests run dist/, as `npm start` does) and one throwaway
// database per run, on DATABASE_URL's server or on an embedded PostgreSQL when it is unset.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { createThrowawayDatabase } from '../../dev/throwaway.database.js';
import { startPgBouncer } from '../../dev/pgbouncer.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** CSAT_TEST_POOLER=pgbouncer: the port of a PgBouncer in transaction mode in front of the test server (else 0). */
    poolerPort: number;
  }
}

export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
  const db = await createThrowawayDatabase(`csat_test_${process.pid}_${Date.now()}`, { serverUrl: process.env.DATABASE_URL });
  project.provide('databaseUrl', db.url);
  console.log(`tests use ${new URL(db.url).pathname.slice(1)} on ${db.where}`);
  // The same test files with the service behind PgBouncer in transaction mode (test/helpers/test.app.ts routes it).
  const pooler = process.env.CSAT_TEST_POOLER === 'pgbouncer' ? await startPgBouncer(db.url) : undefined;
  project.provide('poolerPort', pooler?.port ?? 0);
  if (pooler) console.log(`the service goes through PgBouncer (transaction pooling) on port ${pooler.port}`);
  return async () => {
    await pooler?.stop();
    await db.drop();
  };
}
