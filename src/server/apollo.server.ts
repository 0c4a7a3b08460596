import { ApolloServer, type GraphQLRequestListener } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { domainErrorOf, formatError, isClientSafe } from '../errors/error.formatter.js';
import type { RequestContext } from './context.js';
import type { Logger } from './logger.js';

/** Apollo Server over the subgraph schema: masking, error logging, and the plugins this subgraph turns off. */
export function createApolloServer(deps: { schema: GraphQLSchema; production: boolean; logger: Logger }): ApolloServer<RequestContext> {
  const { logger } = deps;
  // Masked errors reach the client as INTERNAL_SERVER_ERROR; the log gets them whole, with the request id.
  // One listener object for every request (Apollo asks for it per request).
  const errorLogging: GraphQLRequestListener<RequestContext> = {
    async didEncounterErrors({ errors, contextValue }) {
      for (const error of errors) {
        const log = contextValue?.log ?? logger;
        if (domainErrorOf(error) || isClientSafe(error.toJSON(), error)) {
          log.debug({ code: error.extensions?.code, msg: error.message }, 'request error');
        } else {
          log.error({ err: error.originalError ?? error, path: error.path }, 'internal error');
        }
      }
    },
  };
  return new ApolloServer<RequestContext>({
    schema: deps.schema,
    logger: logger.child({ component: 'apollo' }),
    introspection: !deps.production,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT and stops the app (HTTP, then the pool); Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    formatError,
    plugins: [
      // Both wrap every field resolver of every request (federated tracing even when no trace is asked for);
      // this subgraph sets no cache hints and its router does not collect ftv1 traces (docs/performance.md).
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...(deps.production ? [ApolloServerPluginLandingPageDisabled()] : []),
      { requestDidStart: async () => errorLogging },
    ],
  });
}
