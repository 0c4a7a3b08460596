// The one throwaway database of the tests and both benchmarks: a fresh database on DATABASE_URL's server
// (the database in that URL is never touched), or on an embedded PostgreSQL in a temp folder when unset.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { prepareDatabase } from './dev.database.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.postgres.js';

export interface ThrowawayDatabase {
  url: string;
  /** Where it lives, for a log line. */
  where: string;
  /** Drops the database (and stops the embedded server, removing its files). Safe to call twice. */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `name` is replaced if it exists; migrations and the dev `ticket` relation are applied unless `prepare` is false. */
export async function createThrowawayDatabase(name: string, opts: { serverUrl?: string; prepare?: boolean } = {}): Promise<ThrowawayDatabase> {
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let serverUrl = opts.serverUrl;
  if (!serverUrl) {
    dataDir = await mkdtemp(path.join(tmpdir(), 'csat-throwaway-pg-'));
    try {
      embedded = await startEmbeddedPostgres({ dataDir, database: 'postgres', persistent: false });
    } catch (err) {
      await rm(dataDir, { recursive: true, force: true });
      throw err;
    }
    serverUrl = embedded.adminUrl;
  }
  const quoted = `"${name.replaceAll('"', '""')}"`;
  const url = withDatabase(serverUrl, name);
  let dropped: Promise<void> | undefined;
  const drop = () =>
    (dropped ??= (async () => {
      try {
        await admin(serverUrl, `drop database if exists ${quoted} with (force)`);
      } finally {
        await embedded?.stop();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
      }
    })());
  try {
    await admin(serverUrl, `drop database if exists ${quoted} with (force)`);
    await admin(serverUrl, `create database ${quoted}`);
    if (opts.prepare !== false) await prepareDatabase(url, { seed: false });
  } catch (err) {
    await drop().catch(() => {});
    throw err;
  }
  return { url, where: embedded ? 'an embedded PostgreSQL' : 'DATABASE_URL', drop };
}
