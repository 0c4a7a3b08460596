import { ApolloServer, type GraphQLRequestListener } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config/config.js';
import { FaultLog } from '../db/fault.log.js';
import { DatabaseUnavailableError, LimitExceededError, OverloadedError, ServiceUnavailableError } from '../errors/domain.errors.js';
import { domainErrorOf, formatError, isClientSafe } from '../errors/error.formatter.js';
import type { GraphQLContext } from './graphql.context.js';
import { instantArgumentsPlugin } from './instant.arguments.js';
import type { Logger } from '../config/logger.js';
import { requestLimits } from './request.limits.js';
import { schemaHints } from './schema.hints.js';

/** Apollo Server over the subgraph schema: masking, error logging, and the plugins this subgraph turns off. */
export function createApolloServer(deps: {
  schema: GraphQLSchema;
  config: Pick<Config, 'production' | 'limits' | 'serviceSdl'>;
  logger: Logger;
  /** Where database faults are logged, once a second at most (db/fault.log.ts). */
  faults?: FaultLog;
}): ApolloServer<GraphQLContext> {
  const { logger, config } = deps;
  const faults = deps.faults ?? new FaultLog();
  const limits = requestLimits(config.limits, config);
  const hints = schemaHints(config.production);
  // Masked errors reach the client as INTERNAL_SERVER_ERROR; the log gets them whole, with the request id.
  // One listener object for every request (Apollo asks for it per request).
  const errorLogging: GraphQLRequestListener<GraphQLContext> = {
    async didEncounterErrors({ errors, contextValue, request, response }) {
      const log = contextValue?.log ?? logger;
      // A request over a limit is one warning, however many errors (or representations) it carried.
      const limited = errors.map((e) => domainErrorOf(e)).filter((d): d is LimitExceededError => d instanceof LimitExceededError);
      if (limited.length) {
        log.warn({ limits: [...new Set(limited.map((d) => d.limit))], msg: limited[0]!.message, operationName: request.operationName }, 'request refused: over a limit');
        return;
      }
      for (const error of errors) {
        const domain = domainErrorOf(error);
        if (domain instanceof OverloadedError) {
          log.warn({ msg: domain.message, operationName: request.operationName }, 'request shed: overloaded');
        } else if (domain instanceof ServiceUnavailableError) {
          // A retryable answer says when to retry (as the request deadline's 503 does, plugins/graphql.route.plugin.ts). The status
          // stays 200: @apollo/gateway turns a subgraph's non-2xx into "503: Service Unavailable" without our code
          // (docs/contract.md, Errors).
          response.http.headers.set('retry-after', '1');
          // A database outage fails every request at once: one line a second, with the count of the others.
          const msg = domain instanceof DatabaseUnavailableError ? 'database unavailable' : 'database timeout';
          faults.warn(log, { err: error.originalError ?? error, path: error.path }, msg);
        } else if (domain || isClientSafe(error.toJSON(), error)) {
          log.debug({ code: error.extensions?.code, msg: error.message }, 'request error');
        } else {
          log.error({ err: error.originalError ?? error, path: error.path }, 'internal error');
        }
      }
    },
  };
  return new ApolloServer<GraphQLContext>({
    schema: deps.schema,
    logger: logger.child({ component: 'apollo' }),
    introspection: !config.production,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    validationOptions: hints.validationOptions,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT and stops the app (HTTP, then the pool); Apollo's own handler would race it.
    stopOnTerminationSignals: false,
    formatError,
    plugins: [
      // Both wrap every field resolver of every request (federated tracing even when no trace is asked for);
      // this subgraph sets no cache hints and its router does not collect ftv1 traces (docs/performance.md).
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...(config.production ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...limits.plugins,
      ...hints.plugins,
      instantArgumentsPlugin(),
      { requestDidStart: async () => errorLogging },
    ],
  });
}
