// `npm run supergraph`: the local supergraph for newcomers (dev/supergraph.ts), with tokens and examples.
import { signDevToken } from '../src/auth/token.signer.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/server/logger.js';
import { SUPERGRAPH_DEMO } from '../dev/supergraph.seed.js';
import { startSupergraph } from '../dev/supergraph.js';

const config = loadConfig();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const sg = await startSupergraph({ config, logger });

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the gateway, both subgraphs and PostgreSQL…');
    sg.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

const acme = SUPERGRAPH_DEMO.workspaces[0];
const lines = [
  '',
  `Gateway:           ${sg.gatewayUrl}`,
  `CSAT subgraph:     ${sg.csatUrl}`,
  `Tickets subgraph:  ${sg.ticketsUrl}`,
  `Data:              ${config.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL in .data/supergraph'}${sg.seeded ? ' (demo data just seeded)' : ''}`,
];
if (config.auth.mode === 'hs256') {
  const { secret, issuer, audience } = config.auth;
  const sign = (sub: string, role: 'customer' | 'agent' | 'admin') => signDevToken({ sub, role, workspace: acme.id }, secret, { issuer, audience });
  const customer = await sign(acme.customers[0]!, 'customer');
  const agent = await sign(acme.agents[0], 'agent');
  const admin = await sign(acme.admin, 'admin');
  const inbox = JSON.stringify({ query: '{ tickets(first: 5, filter: {status: [resolved, closed]}) { totalCount edges { node { ref subject status csatRating csatComment csatRatedAt } } } }' });
  const mine = JSON.stringify({ query: '{ tickets(first: 5, filter: {status: [resolved, closed]}) { edges { node { id ref subject csatCanRate csatRating } } } }' });
  lines.push(
    '',
    `Tokens (workspace Acme ${acme.id}, valid 24 h):`,
    `  customer: ${customer}`,
    `  agent:    ${agent}`,
    `  admin:    ${admin}`,
    '',
    'The agent inbox with CSAT chips:',
    `  curl -s ${sg.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer ${agent}" -d '${inbox}'`,
    '',
    "The customer's resolved tickets (csatCanRate: true shows the prompt); then rate one:",
    `  curl -s ${sg.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer ${customer}" -d '${mine}'`,
    `  curl -s ${sg.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer ${customer}" \\`,
    `    -d '{"query":"mutation { rateTicket(ticketId: \\"<id>\\", rating: 5, comment: \\"Thanks!\\") { id csatRating csatComment csatRatedAt csatCanRate } }"}'`,
  );
}
lines.push('', 'Ctrl-C stops everything.', '');
console.log(lines.join('\n'));
