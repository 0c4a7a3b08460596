// Development only (`npm run seed`): creates the helpdesk `ticket` relation and the demo workspace in
// DATABASE_URL (or the embedded database), after this subgraph's migrations. Refused in production.
import { seedDemo } from '../dev/demo.seed.js';
import { loadConfig } from '../src/config/config.js';
import { migrate, openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/server/logger.js';

const config = loadConfig();
if (config.production) {
  console.error('npm run seed creates demo tables and data; it does not run with NODE_ENV=production');
  process.exit(2);
}
const db = await openDatabase(config, createLogger(config.logLevel));
try {
  await migrate(db.orm);
  const seeded = await seedDemo(db.orm);
  console.log(seeded.created ? 'demo workspace created' : 'tickets already present: nothing seeded');
} finally {
  await db.close();
}
