// `npm run supergraph`: the local supergraph for newcomers (dev/supergraph.ts), with tokens and examples.
import { supergraphBanner } from '../dev/demo.banner.js';
import { demoEmail } from '../dev/demo.email.js';
import { startSupergraph, type Supergraph } from '../dev/supergraph.js';
import { loadConfigOrExit } from '../src/config/config.exit.js';
import { createLogger } from '../src/config/logger.js';
import { supergraphPorts, portInUse } from './supergraph.ports.js';

const config = loadConfigOrExit();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
const ports = supergraphPorts(process.env.SUPERGRAPH_PORT);
if (typeof ports === 'string') {
  console.error(ports);
  process.exit(2);
}

let sg: Supergraph;
try {
  // The demo webhook receiver prints each verified event here, under the banner.
  sg = await startSupergraph({ config, logger, ports, webhookReceiver: { port: ports.webhookReceiver, print: (line) => console.log(line) } });
} catch (err) {
  // Another `npm start` or `npm run supergraph` holds a port: one line that says what to do, not a stack.
  const inUse = portInUse(err, config.host);
  if (!inUse) throw err;
  console.error(inUse);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the demo pages, the gateway, both subgraphs and PostgreSQL…');
    sg.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}

console.log(await supergraphBanner(sg, sg.seed!, config, sg.embeddedDataDir ? `embedded PostgreSQL in ${sg.embeddedDataDir}` : 'DATABASE_URL'));
console.log(await demoEmail(sg.gatewayUrl, sg.seed!, config));
