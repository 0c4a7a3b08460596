// Small error classes thrown by domain code; errors/error.formatter.ts turns them into GraphQL errors.
export type ErrorCode = 'UNAUTHENTICATED' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'TICKET_NOT_RESOLVED';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  /** HTTP status for errors that end the whole request (auth). */
  readonly httpStatus?: number;
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  override readonly httpStatus = 401;
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
