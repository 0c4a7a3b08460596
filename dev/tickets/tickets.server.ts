import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { GraphQLError } from 'graphql';
import { bearerToken, createTokenVerifier } from '../../src/auth/token.verifier.js';
import type { AuthConfig } from '../../src/config/config.js';
import { guardedPool } from '../../src/db/guarded.pool.js';
import { DomainError } from '../../src/errors/domain.errors.js';
import { buildTicketsSchema, type TicketsContext } from './tickets.schema.js';

export interface RunningServer {
  url: string;
  stop(): Promise<void>;
}

/** The reference Tickets subgraph on its own HTTP port, with the same token rules as the CSAT subgraph. */
export async function startTicketsServer(opts: { databaseUrl: string; auth: AuthConfig; port: number; host: string }): Promise<RunningServer> {
  // A connection the server ends, idle or in use, must not end the whole demo (src/db/guarded.pool.ts).
  const pool = guardedPool({ connectionString: opts.databaseUrl, max: 10 }, () => {});
  const verifier = createTokenVerifier(opts.auth);
  const server = new ApolloServer<TicketsContext>({
    schema: buildTicketsSchema(pool),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    // Whoever started it stops it (dev/supergraph.ts); Apollo's own signal handler would race that stop.
    stopOnTerminationSignals: false,
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: opts.port, host: opts.host },
    context: async ({ req }) => {
      try {
        const token = bearerToken(req.headers.authorization);
        return { viewer: token ? await verifier.verify(token) : null };
      } catch (err) {
        if (err instanceof DomainError) throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: 401 } } });
        throw err;
      }
    },
  });
  return {
    url,
    async stop() {
      await server.stop();
      await pool.end();
    },
  };
}
