// Applies this subgraph's pending migrations (`npm run migrate`) to DATABASE_URL, or the embedded database when unset.
import { loadConfig } from '../src/config/config.js';
import { migrate, openDatabase } from '../src/db/database.js';
import { createLogger } from '../src/server/logger.js';

const config = loadConfig();
const db = await openDatabase(config, createLogger(config.logLevel));
try {
  const applied = await migrate(db.orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
} finally {
  await db.close();
}
