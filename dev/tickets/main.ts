// The reference Tickets subgraph as its own process: DATABASE_URL (required), PORT (default 4002), HOST, AUTH_*.
import { loadConfig } from '../../src/config/config.js';
import { startTicketsServer } from './tickets.server.js';

const config = loadConfig({ ...process.env, PORT: process.env.PORT ?? '4002' });
if (!config.databaseUrl) {
  console.error('the Tickets subgraph needs DATABASE_URL');
  process.exit(2);
}
const server = await startTicketsServer({ databaseUrl: config.databaseUrl, auth: config.auth, port: config.port, host: config.host });
console.log(JSON.stringify({ msg: 'tickets subgraph listening', url: server.url }));
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => void server.stop().then(() => process.exit(0)));
