// One throwaway database per test run: on DATABASE_URL's server, or on an embedded PostgreSQL when it is unset.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { prepareDatabase } from '../../dev/supergraph.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/db/embedded.postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  let embedded: EmbeddedPostgres | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'csat-test-pg-'));
    try {
      embedded = await startEmbeddedPostgres({ dataDir, database: 'postgres', persistent: false });
    } catch (err) {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
    serverUrl = embedded.adminUrl;
  }
  const database = `csat_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${admin.escapeIdentifier(database)}`);
  await admin.end();

  const url = withDatabase(serverUrl, database);
  await prepareDatabase(url, false);
  project.provide('databaseUrl', url);
  console.log(`tests use database ${database} on ${embedded ? 'an embedded PostgreSQL' : 'DATABASE_URL'}`);

  return async () => {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${admin.escapeIdentifier(database)} with (force)`);
    await admin.end();
    await embedded?.stop();
  };
}
