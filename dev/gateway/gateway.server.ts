// A real federation gateway (@apollo/gateway) over a supergraph composed at start from the subgraphs'
// SDL files (static composition, no introspection). Development, tests and benchmarks only.
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import type { RunningServer } from '../tickets/tickets.server.js';
import { httpFetcher } from './http.fetcher.js';

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

interface GatewayContext {
  authorization?: string;
}

export function composeSupergraph(subgraphs: SubgraphSource[]): string {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors?.length || !result.supergraphSdl) {
    throw new Error(`supergraph composition failed:\n${(result.errors ?? []).map((e) => `  - ${e.message}`).join('\n')}`);
  }
  return result.supergraphSdl;
}

export async function startGateway(opts: { subgraphs: SubgraphSource[]; port: number; host: string }): Promise<RunningServer & { supergraphSdl: string }> {
  const supergraphSdl = composeSupergraph(opts.subgraphs);
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        fetcher: httpFetcher,
        // Each subgraph verifies the caller's token itself.
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
        },
      }),
  });
  // Whoever started it stops it (dev/supergraph.ts); Apollo's own signal handler would race that stop.
  const server = new ApolloServer<GatewayContext>({ gateway, includeStacktraceInErrorResponses: false, stopOnTerminationSignals: false });
  const { url } = await startStandaloneServer(server, {
    listen: { port: opts.port, host: opts.host },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { url, supergraphSdl, stop: () => server.stop() };
}
