// Before any test file: the build (the process tests run dist/, as `npm start` does) and one throwaway
// database per run, on DATABASE_URL's server or on an embedded PostgreSQL when it is unset.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { createThrowawayDatabase } from '../../dev/throwaway.database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { stdio: 'inherit' });
  const db = await createThrowawayDatabase(`csat_test_${process.pid}_${Date.now()}`, { serverUrl: process.env.DATABASE_URL });
  project.provide('databaseUrl', db.url);
  console.log(`tests use ${new URL(db.url).pathname.slice(1)} on ${db.where}`);
  return () => db.drop();
}
