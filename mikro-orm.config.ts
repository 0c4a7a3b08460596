// For the MikroORM CLI only (`npm run migration:create`); the service builds its config in src/db/orm.config.ts.
import { ormConfig } from './src/db/orm.config.js';
import { SCHEMA } from './src/schema.entities.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  // One line, not the CLI's stack trace: the CLI diffs the entities against a real database.
  console.error('npm run migration:create needs DATABASE_URL, a PostgreSQL to diff the entities against (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)');
  process.exit(2);
}
export default ormConfig({ databaseUrl, schema: SCHEMA, log: console.log });
