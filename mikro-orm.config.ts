// For the MikroORM CLI only (`npm run migration:create`); the service builds its config in src/db/orm.config.ts.
import { ormConfig } from './src/db/orm.config.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('The MikroORM CLI needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)');
export default ormConfig({ databaseUrl, log: console.log });
