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

/**
 * A pool's end() resolves before its clients' sockets have closed; `with (force)` terminating such a session makes
 * the server send it a FATAL 57P01 that its client, already ending and without the pool's error listener, throws as
 * an uncaught exception in the process that used it (a test file). Wait (up to 2 s) for the sessions to leave first.
 */
async function waitForSessionsToEnd(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    for (const until = Date.now() + 2000; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) {
      const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
      if (rows[0]!.n === 0) return;
    }
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
        await waitForSessionsToEnd(serverUrl, name);
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
