// The gateway as its own process: npm-less entry for benchmarks.
// node dist/dev/gateway/main.js --tickets <url> --csat <url> [--port 4000] [--host 127.0.0.1]   (after `npm run build`)
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TICKETS_SDL } from '../tickets/tickets.schema.js';
import { startGateway } from './gateway.server.js';

const { values } = parseArgs({
  options: { tickets: { type: 'string' }, csat: { type: 'string' }, port: { type: 'string', default: '4000' }, host: { type: 'string', default: '127.0.0.1' } },
});
if (!values.tickets || !values.csat) {
  console.error('usage: gateway --tickets <url> --csat <url> [--port 4000] [--host 127.0.0.1]');
  process.exit(2);
}
const csatSdl = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
const gateway = await startGateway({
  host: values.host,
  port: Number(values.port),
  subgraphs: [
    { name: 'tickets', url: values.tickets, sdl: TICKETS_SDL },
    { name: 'csat', url: values.csat, sdl: csatSdl },
  ],
});
console.log(JSON.stringify({ msg: 'gateway listening', url: gateway.url }));
for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, () => void gateway.stop().then(() => process.exit(0)));
