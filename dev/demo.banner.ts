// What `npm start` (embedded database) and `npm run supergraph` print for a newcomer: tokens, examples to
// paste, where the explorer is, and how to start the demo afresh.
import { signDevToken } from '../src/auth/token.signer.js';
import type { Role } from '../src/auth/viewer.js';
import type { Config } from '../src/config/config.js';
import { DEMO_CUSTOMER, DEMO_WORKSPACE, type SeedResult } from './demo.seed.js';

function signer(config: Config) {
  if (config.auth.mode !== 'hs256') return undefined;
  const { secret, issuer, audience } = config.auth;
  return (sub: string, role: Role) => signDevToken({ sub, role, workspace: DEMO_WORKSPACE.id }, secret, { issuer, audience });
}

const RATE = 'mutation($t: ID!) { rateTicket(ticketId: $t, rating: 5, comment: "Thanks!") { id csatRating csatComment csatRatedAt csatCanRate } }';

/** A development token of the demo workspace (HS256 only; undefined with JWKS). */
export async function demoToken(config: Config, sub: string, role: Role): Promise<string | undefined> {
  return signer(config)?.(sub, role);
}

function curl(url: string, token: string | undefined, body: unknown): string[] {
  const auth = token ? ` -H "authorization: Bearer ${token}"` : '';
  return [`  curl -s ${url} -H 'content-type: application/json'${auth} \\`, `    -d '${JSON.stringify(body)}'`];
}

const BADGE = 'query($w: ID!) { csatBadge(workspaceId: $w) { average count satisfiedShare asOf } }';

/** `npm start` with the embedded database. */
export async function subgraphBanner(url: string, seed: SeedResult, config: Config, dataDir: string, explorerUrl?: string): Promise<string> {
  const sign = signer(config);
  if (!sign) return '';
  const customer = await sign(DEMO_CUSTOMER, 'customer');
  const agent = await sign(DEMO_WORKSPACE.agents[0], 'agent');
  const ticket = seed.rateableTicket;
  return [
    '',
    `csat-subgraph is running at ${url} (demo workspace ${DEMO_WORKSPACE.name} ${DEMO_WORKSPACE.id}${seed.created ? ', just seeded' : ''})`,
    explorerUrl
      ? `GraphQL explorer: open ${explorerUrl} in a browser (GraphiQL, works offline; the agent token below is filled in)`
      : `GraphQL explorer: open ${url} in a browser (Apollo Sandbox, loaded from the internet; paste a token below as the Authorization header "Bearer <token>")`,
    '',
    `Customer token (requester of ticket ${ticket}):`,
    `  ${customer}`,
    'Agent token:',
    `  ${agent}`,
    '',
    'Rate the ticket as its customer:',
    ...curl(url, customer, { query: RATE, variables: { t: ticket } }),
    '',
    'See it as the agent would (the router sends this _entities call):',
    ...curl(url, agent, { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ticket { id csatRating csatComment csatRatedAt } } }', variables: { r: [{ __typename: 'Ticket', id: ticket }] } }),
    '',
    // The real folder: as root it may be in the system temp folder rather than EMBEDDED_PG_DIR (dev/embedded.postgres.ts).
    `Every start offers a ticket still to rate. To start the demo afresh: stop (Ctrl-C), then rm -rf ${dataDir}`,
    '',
  ].join('\n');
}

export interface SupergraphUrls {
  gatewayUrl: string;
  csatUrl: string;
  ticketsUrl: string;
  /** The web components' demo pages, when served. */
  demo?: { url: string; portalUrl: string; agentUrl: string; reportsUrl: string; explorerUrl: string };
  /** The demo webhook receiver, when running. */
  webhookReceiver?: { url: string };
}

/** `npm run supergraph`. */
export async function supergraphBanner(sg: SupergraphUrls, seed: SeedResult, config: Config, dataLabel: string): Promise<string> {
  const lines = [
    '',
    `Gateway:           ${sg.gatewayUrl}`,
    `CSAT subgraph:     ${sg.csatUrl}`,
    `Tickets subgraph:  ${sg.ticketsUrl}`,
    `Data:              ${dataLabel}${seed.created ? ' (demo data just seeded)' : ''}`,
    sg.demo
      ? `GraphQL explorer:  open ${sg.demo.explorerUrl} in a browser (GraphiQL through the gateway, works offline; the agent token is filled in)`
      : `GraphQL explorer:  open ${sg.gatewayUrl} in a browser (Apollo Sandbox, loaded from the internet; set the Authorization header to "Bearer <token>")`,
  ];
  if (sg.demo) {
    lines.push(
      '',
      `Web components demo (${sg.demo.url}):`,
      `  customer portal, a ticket to rate:  ${sg.demo.portalUrl}`,
      `  agent inbox with CSAT chips:        ${sg.demo.agentUrl}  (a row opens the ticket page with the feedback card)`,
      `  reports (the CSAT dashboard):       ${sg.demo.reportsUrl}`,
    );
  }
  const sign = signer(config);
  if (sign) {
    const customer = await sign(DEMO_CUSTOMER, 'customer');
    const agent = await sign(DEMO_WORKSPACE.agents[0], 'agent');
    const admin = await sign(DEMO_WORKSPACE.admin, 'admin');
    const inbox = { query: '{ tickets(first: 5, filter: {status: [resolved, closed]}) { totalCount edges { node { ref subject status csatRating csatComment csatRatedAt } } } }' };
    const mine = { query: '{ tickets(first: 5, filter: {status: [resolved, closed]}) { edges { node { id ref subject csatCanRate csatRating } } } }' };
    lines.push(
      '',
      `Tokens (workspace ${DEMO_WORKSPACE.name} ${DEMO_WORKSPACE.id}, valid 24 h):`,
      `  customer: ${customer}`,
      `  agent:    ${agent}`,
      `  admin:    ${admin}`,
      '',
      'The agent inbox with CSAT chips:',
      ...curl(sg.gatewayUrl, agent, inbox),
      '',
      "The customer's resolved tickets (csatCanRate: true shows the prompt):",
      ...curl(sg.gatewayUrl, customer, mine),
      '',
      `Rate ticket ${seed.rateableTicket} as its customer:`,
      ...curl(sg.gatewayUrl, customer, { query: RATE, variables: { t: seed.rateableTicket } }),
    );
  }
  lines.push(
    '',
    `${DEMO_WORKSPACE.name}'s public CSAT badge (no token; settings, badge and webhook examples: docs/webhooks.md):`,
    ...curl(sg.gatewayUrl, undefined, { query: BADGE, variables: { w: DEMO_WORKSPACE.id } }),
  );
  if (sg.webhookReceiver) {
    lines.push(
      '',
      `Webhook receiver:  ${sg.webhookReceiver.url} (registered for ${DEMO_WORKSPACE.name}; it verifies each delivery's signature`,
      '                   and prints the event below: rate a ticket and watch for "[webhook] verified csat.rating.created")',
    );
  }
  lines.push('', 'Every start offers a ticket still to rate. Ctrl-C stops everything.', '');
  return lines.join('\n');
}
