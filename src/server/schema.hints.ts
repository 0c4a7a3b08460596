import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import type { GraphQLContext } from './graphql.context.js';

// graphql-js ends a message with its suggestions: ' Did you mean "a", "b", or "c"?', ' Did you mean the enum value "A"?'.
const SUGGESTION = / ?Did you mean .+\?$/s;

const listener: GraphQLRequestListener<GraphQLContext> = {
  async didEncounterErrors({ errors }) {
    for (const error of errors) if (SUGGESTION.test(error.message)) error.message = error.message.replace(SUGGESTION, '');
  },
};

/**
 * "Did you mean …" names fields, arguments, types, input fields and enum values a caller did not know: helpful in
 * development, a schema leak in production (where introspection is off). graphql-js leaves them out of validation
 * (literals in the document) when asked; Apollo Server does not pass that flag on to the coercion of variables, so
 * those errors lose the sentence in didEncounterErrors, before they are formatted.
 */
export function schemaHints(production: boolean): { validationOptions: { hideSuggestions?: boolean }; plugins: ApolloServerPlugin<GraphQLContext>[] } {
  if (!production) return { validationOptions: {}, plugins: [] };
  return { validationOptions: { hideSuggestions: true }, plugins: [{ requestDidStart: async () => listener }] };
}
