// The one place database faults get their code (src/errors/error.formatter.ts): a database that cannot be reached,
// or whose connection ended, is the retryable SERVICE_UNAVAILABLE, however the error reached the resolver (pg's
// own, MikroORM's wrapping, a cause chain); any other error stays a masked INTERNAL_SERVER_ERROR, a socket error
// that is not the database's (a JWKS endpoint down) included.
// Errors from real sockets and a real server where a test can make them; pg's own error class for the SQLSTATEs a
// test cannot provoke (a crash, "too many connections", a protocol failure).
import { DriverException } from '@mikro-orm/core';
import { GraphQLError } from 'graphql';
import { createServer, type AddressInfo } from 'node:net';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../dev/embedded.postgres.js';
import { guardedPool } from '../src/db/guarded.pool.js';
import { PreparingPool } from '../src/db/prepared.statements.js';
import { formatError, rethrowAsDatabaseError } from '../src/errors/error.formatter.js';

const UNAVAILABLE = { message: 'the database is unavailable; retry', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } };
const TIMEOUT = { message: 'the database did not answer in time; retry', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } };
const INTERNAL = { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

/** As a resolver's error reaches formatError: wrapped in a GraphQLError at a path. */
function answer(err: Error) {
  const wrapped = new GraphQLError(err.message, { path: ['rateTicket'], originalError: err });
  const { message, extensions } = formatError(wrapped.toJSON(), wrapped);
  return { message, extensions };
}

const pgError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, 0, 'error'), { code });

/** The service's own path to PostgreSQL (db/prepared.statements.ts over a guarded pg pool). */
function servicePool(connectionString: string): PreparingPool {
  return new PreparingPool(guardedPool({ connectionString, max: 1, connectionTimeoutMillis: 5000 }, () => {}));
}

/** The error a statement gets on the service's path when it runs against `connectionString` (or connecting to it). */
async function queryError(connectionString: string): Promise<Error> {
  const pool = servicePool(connectionString);
  try {
    const client = await pool.connect();
    try {
      await client.query('select 1', []);
    } finally {
      client.release();
    }
  } catch (err) {
    return err as Error;
  } finally {
    await pool.end().catch(() => {});
  }
  throw new Error('expected a failure');
}

describe('database faults map to SERVICE_UNAVAILABLE', () => {
  it('connection refused (nothing listens)', async () => {
    const err = await queryError('postgres://postgres@127.0.0.1:1/x');
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    expect(answer(err)).toEqual(UNAVAILABLE);
  });

  it('a server that ends the connection during the handshake, and one that resets it', async () => {
    for (const how of ['end', 'reset'] as const) {
      const server = createServer((socket) => (how === 'end' ? socket.end() : socket.resetAndDestroy()));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const err = await queryError(`postgres://postgres@127.0.0.1:${(server.address() as AddressInfo).port}/x`);
        expect(answer(err), `${how}: ${err.message}`).toEqual(UNAVAILABLE);
      } finally {
        server.close();
      }
    }
  });

  it('a connection the server terminates mid-statement (57P01), and the client used after it', async () => {
    const pool = servicePool(inject('databaseUrl'));
    const client = await pool.connect();
    const pid = client.processID!;
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    try {
      const running = client.query('select pg_sleep(30)', []).then(
        () => new Error('expected a failure'),
        (err: Error) => err,
      );
      await expect.poll(async () => (await admin.query(`select 1 from pg_stat_activity where pid = $1 and wait_event = 'PgSleep'`, [pid])).rowCount).toBe(1);
      await admin.query('select pg_terminate_backend($1)', [pid]);
      const err = await running;
      expect(['57P01', undefined]).toContain((err as { code?: string }).code);
      expect(answer(err)).toEqual(UNAVAILABLE);
      const after = await client.query('select 1', []).then(
        () => new Error('expected a failure'),
        (e: Error) => e,
      );
      expect(answer(after), after.message).toEqual(UNAVAILABLE);
    } finally {
      await admin.end();
      client.release();
      await pool.end().catch(() => {});
    }
  });

  it.each([
    ['08000', 'connection_exception'],
    ['08003', 'connection_does_not_exist'],
    ['08006', 'connection_failure'],
    ['08P01', 'protocol_violation'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection because of crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['53300', 'sorry, too many clients already'],
  ])('SQLSTATE %s (%s), as pg raises it, as MikroORM wraps it, and as a cause', (code, message) => {
    const err = pgError(code, message);
    expect(answer(err)).toEqual(UNAVAILABLE);
    expect(answer(new DriverException(err))).toEqual(UNAVAILABLE);
    expect(answer(new Error('query failed', { cause: err }))).toEqual(UNAVAILABLE);
  });

  it.each([
    ['ECONNRESET', 'read ECONNRESET'],
    ['EPIPE', 'write EPIPE'],
    ['ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.1:5432'],
    ['EHOSTUNREACH', 'connect EHOSTUNREACH 10.0.0.1:5432'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN db.internal'],
  ])('socket error %s, raised by a database call', (code, message) => {
    const err = Object.assign(new Error(message), { code, syscall: 'read' });
    expect(() => rethrowAsDatabaseError(err)).toThrow(err);
    expect(answer(err)).toEqual(UNAVAILABLE);
    expect(answer(new DriverException(err))).toEqual(UNAVAILABLE);
  });

  it('timeouts keep their own message: a statement or lock timeout, the wait for a pooled connection', () => {
    expect(answer(pgError('57014', 'canceling statement due to statement timeout'))).toEqual(TIMEOUT);
    expect(answer(pgError('55P03', 'canceling statement due to lock timeout'))).toEqual(TIMEOUT);
    expect(answer(new Error('timeout exceeded when trying to connect'))).toEqual(TIMEOUT);
    expect(answer(new Error('Connection terminated due to connection timeout'))).toEqual(TIMEOUT);
  });
});

describe('other errors stay internal (masked)', () => {
  it('a socket error that is not the database\'s: a JWKS endpoint that refuses the connection', async () => {
    const err = await fetch(`http://127.0.0.1:${await freePort()}/jwks.json`).then(
      () => new Error('expected a failure'),
      (e: Error) => e,
    );
    expect((err.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(answer(err)).toEqual(INTERNAL);
  });


  it.each([
    ['23505', 'duplicate key value violates unique constraint "csat_rating_pkey"'],
    ['42P01', 'relation "ticket" does not exist'],
    ['22008', 'date/time field value out of range'],
    ['40P01', 'deadlock detected'],
  ])('SQLSTATE %s', (code, message) => {
    expect(answer(pgError(code, message))).toEqual(INTERNAL);
  });
});
