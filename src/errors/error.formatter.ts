import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { BadUserInputError, DatabaseUnavailableError, DomainError, LimitExceededError, ServiceUnavailableError } from './domain.errors.js';

/** Codes that graphql-js and Apollo Server raise for malformed requests: safe to show as they are. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

export const MASKED_MESSAGE = 'Internal server error';

// @apollo/subgraph's _entities resolver throws a plain Error for a representation whose __typename is
// missing or unknown: the caller's mistake, not ours, so it must neither be masked nor logged as an error.
const UNKNOWN_TYPENAME = 'The _entities resolver tried to load an entity for type';

// PostgreSQL's query_canceled (statement_timeout) and lock_not_available (lock_timeout); pg-pool's wait for a
// connection; pg's client-side query_timeout. The database was too slow or too busy: the client may retry.
const TIMEOUT_SQLSTATES = new Set(['57014', '55P03']);
const TIMEOUT_MESSAGES = ['timeout exceeded when trying to connect', 'Connection terminated due to connection timeout', 'Query read timeout'];

function isDatabaseTimeout(e: Error): boolean {
  const code = (e as { code?: unknown }).code;
  return (typeof code === 'string' && TIMEOUT_SQLSTATES.has(code)) || TIMEOUT_MESSAGES.some((m) => e.message.startsWith(m));
}

// The database cannot be reached or its connection ended: a restart, a failover, pg_terminate_backend, a dropped
// network. SQLSTATE class 08 (connection exception), 57P01-57P03 (admin_shutdown, crash_shutdown,
// cannot_connect_now: shutting down or starting up) and 53300 (too_many_connections); pg's own messages for a
// connection that ended or broke earlier; and socket errors (refused, reset, unreachable, a name that no longer
// resolves), but only those a database call raised: a JWKS endpoint's ECONNREFUSED is not the database's.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = ['Connection terminated', 'Client has encountered a connection error and is not queryable', 'Client was closed and is not queryable'];

/** Set on errors a database call raised (db/prepared.statements.ts); a string key, so MikroORM's wrapping copies it. */
const FROM_DATABASE = 'csatFromDatabase';

/** Rethrows `err` marked as the database's: its socket codes then mean an unavailable database. */
export function rethrowAsDatabaseError(err: unknown): never {
  if (err instanceof Error) Object.defineProperty(err, FROM_DATABASE, { value: true, configurable: true });
  throw err;
}

function isDatabaseUnavailable(e: Error): boolean {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (UNAVAILABLE_SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    if (UNAVAILABLE_SOCKET_CODES.has(code) && (e as { [FROM_DATABASE]?: boolean })[FROM_DATABASE]) return true;
  }
  return UNAVAILABLE_MESSAGES.some((m) => e.message.startsWith(m));
}

/** A database that cannot be reached, or did not answer in time: worth another try (the webhook worker retries on it). */
export function isDatabaseFault(e: unknown): boolean {
  return e instanceof Error && (isDatabaseTimeout(e) || isDatabaseUnavailable(e));
}

/** The DomainError behind an error, through resolver and context-creation wrapping (and MikroORM's wrapping of driver errors). */
export function domainErrorOf(error: unknown): DomainError | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 6; depth++) {
    if (e instanceof DomainError) return e;
    if (e instanceof Error && !(e instanceof GraphQLError)) {
      if (e.message.startsWith(UNKNOWN_TYPENAME)) {
        return new BadUserInputError('every representation needs the __typename of an entity of this subgraph (Ticket)', 'representations');
      }
      if (isDatabaseTimeout(e)) return new ServiceUnavailableError('the database did not answer in time; retry');
      if (isDatabaseUnavailable(e)) return new DatabaseUnavailableError();
    }
    e = e instanceof GraphQLError ? e.originalError : e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** For the context function: a DomainError as the GraphQLError Apollo Server expects, with its HTTP status. */
export function toGraphQLError(err: DomainError): GraphQLError {
  return new GraphQLError(err.message, {
    originalError: err,
    extensions: { code: err.code, ...(err.httpStatus ? { http: { status: err.httpStatus } } : {}) },
  });
}

/** True when the client may see this error as it is; everything else is masked (and logged in full elsewhere). */
export function isClientSafe(formatted: GraphQLFormattedError, error: unknown): boolean {
  if (domainErrorOf(error)) return true;
  if (isPipelineRefusal(error)) return true;
  if (isVariableErrorLimit(error)) return true;
  const original = unwrapResolverError(error);
  const code = formatted.extensions?.code;
  // A resolver's own exception carries no code (or INTERNAL_SERVER_ERROR): never show its text.
  return typeof code === 'string' && REQUEST_ERROR_CODES.has(code) && original === error;
}

/**
 * Apollo's request pipeline refuses some client mistakes with a bare 4xx GraphQLError and no code (a persisted
 * query hash that does not match its query, an unsupported persisted-query version): the caller's, not ours.
 */
function isPipelineRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.path || error.originalError) return false;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/**
 * graphql-js stops coercing variables after 50 errors and throws this bare GraphQLError (no code), which Apollo
 * passes on as it is: the caller's bad variables (a list of a hundred wrong enum values), not our fault.
 */
function isVariableErrorLimit(error: unknown): boolean {
  return error instanceof GraphQLError && !error.path && !error.originalError && error.message.startsWith('Too many errors processing variables');
}

/** The one place domain errors become client errors with a stable `extensions.code`. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const domain = domainErrorOf(error);
  if (domain) {
    const field = domain instanceof BadUserInputError ? domain.field : undefined;
    const limit = domain instanceof LimitExceededError ? domain.limit : undefined;
    const retryable = domain instanceof ServiceUnavailableError ? true : undefined;
    return {
      message: domain.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: domain.code, ...(field ? { field } : {}), ...(limit ? { limit } : {}), ...(retryable ? { retryable } : {}) },
    };
  }
  if (isPipelineRefusal(error) && !REQUEST_ERROR_CODES.has(String(formatted.extensions?.code))) return { ...formatted, extensions: { code: 'BAD_REQUEST' } };
  if (isVariableErrorLimit(error)) return { ...formatted, extensions: { code: 'BAD_USER_INPUT' } };
  if (isClientSafe(formatted, error)) return { ...formatted, extensions: { code: formatted.extensions?.code } };
  return { message: MASKED_MESSAGE, locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
