import { GraphQLScalarType, Kind } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { BadUserInputError } from '../errors/domain.errors.js';
import { readInstant } from './instant.parser.js';

// What instantSql (db/sql.helpers.ts) produces: RFC 3339, UTC, milliseconds.
const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A refused input instant; `field` names the argument where it is known (the scalar alone does not know it). */
export class InstantInputError extends BadUserInputError {
  constructor(
    readonly why: string,
    field?: string,
  ) {
    super(`${field ?? 'DateTime'}: ${why}`, field);
  }
}

/** An input instant: the one parser of client instants (instant.parser.ts), so nothing PostgreSQL refuses gets through. */
function parseInstant(value: unknown): Date {
  const r = readInstant(value);
  // src/server/instant.arguments.ts refuses variables before coercion and names literals' arguments.
  if (!r.ok) throw new InstantInputError(r.why);
  return r.date;
}

/**
 * graphql-scalars' DateTime, same name and description; input through instant.parser.ts (RFC 3339, years
 * 0001-9999); on output, text that is already canonical passes through instead of being validated, parsed into
 * a Date and printed again per field.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize: (value) => (typeof value === 'string' && CANONICAL_UTC.test(value) ? value : DateTimeResolver.serialize(value)),
  parseValue: (value) => parseInstant(value),
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});
