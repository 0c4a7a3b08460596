import { GraphQLScalarType } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';

// What ratedAtSql (ticket/ticket-csat.row.ts) produces: RFC 3339, UTC, milliseconds.
const CANONICAL_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * graphql-scalars' DateTime, same name, description and input rules; on output, text that is already
 * canonical passes through instead of being validated, parsed into a Date and printed again per field.
 */
export const DateTimeScalar = new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  serialize: (value) => (typeof value === 'string' && CANONICAL_UTC.test(value) ? value : DateTimeResolver.serialize(value)),
});
