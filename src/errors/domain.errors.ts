// Small error classes thrown by domain code; errors/error.formatter.ts turns them into GraphQL errors.
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'TICKET_NOT_RESOLVED' | 'CSAT_DISABLED' | 'ALREADY_RATED' | 'SERVICE_UNAVAILABLE';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** HTTP status for errors that end the whole request (auth). */
  readonly httpStatus?: number;
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  override readonly httpStatus = 401;
}

/** A known caller whose role may not do this (insights for a customer; settings and webhooks for non-admins): nothing about a ticket is revealed by it. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class BadUserInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class TicketNotResolvedError extends DomainError {
  readonly code = 'TICKET_NOT_RESOLVED';
}

/** The workspace switched CSAT off (csat_settings.enabled): no new ratings. */
export class CsatDisabledError extends DomainError {
  readonly code = 'CSAT_DISABLED';
}

/** csatRatingLinks for a ticket that has its rating: no new offer, no links (the first rating is final). */
export class AlreadyRatedError extends DomainError {
  readonly code = 'ALREADY_RATED';
}

/** A request over one of the documented limits (config.ts, Limits): refused before any work, logged once at warn. */
export class LimitExceededError extends BadUserInputError {
  constructor(
    message: string,
    /** Which limit: aliases, depth, cost, directives, representations, answerBytes, entitiesFields, mutationFields. */
    readonly limit: string,
  ) {
    super(message);
  }
}

/** The database did not answer in time (statement, lock or pool timeout; the request deadline): retryable. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
}

/** Too much work in flight (large answers, memory, event-loop delay): shed before it runs, retryable. */
export class OverloadedError extends ServiceUnavailableError {}

/** The database cannot be reached (refused, reset, its connection ended, starting up or shutting down): retryable. */
export class DatabaseUnavailableError extends ServiceUnavailableError {
  constructor() {
    super('the database is unavailable; retry');
  }
}
