// `npm run supergraph`: the local supergraph for newcomers (dev/supergraph.ts), with tokens and examples.
import { supergraphBanner } from '../dev/demo.banner.js';
import { startSupergraph } from '../dev/supergraph.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/config/logger.js';

const config = loadConfig();
const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
// The demo webhook receiver prints each verified event here, under the banner.
const sg = await startSupergraph({ config, logger, webhookReceiver: { port: 4004, print: (line) => console.log(line) } });

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

console.log(await supergraphBanner(sg, sg.seed!, config, config.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL in .data/supergraph'));
