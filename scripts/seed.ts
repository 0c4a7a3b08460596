// Development only (`npm run seed`): the helpdesk `ticket` relation and the demo data (dev/demo.seed.ts) in
// DATABASE_URL, or in the embedded database, after this subgraph's migrations. Refused in production.
import { pino } from 'pino';
import { prepareDatabase, startDevDatabase } from '../dev/dev.database.js';
import { loadConfig } from '../src/config/config.js';

const config = loadConfig();
if (config.production) {
  console.error('npm run seed creates demo tables and data; it does not run with NODE_ENV=production');
  process.exit(2);
}
const dev = config.databaseUrl ? undefined : await startDevDatabase(config, pino({ level: 'silent' }));
try {
  const seeded = (await prepareDatabase(config.databaseUrl ?? dev!.url, { seed: true }))!;
  console.log(`${seeded.created ? 'demo data created' : 'tickets already present: demo data kept'}; a ticket to rate: ${seeded.rateableTicket}`);
} finally {
  await dev?.stop();
}
