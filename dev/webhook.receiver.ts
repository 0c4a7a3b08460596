// The demo's webhook receiver (`npm run supergraph`): verifies each delivery's Standard Webhooks signature by
// hand (HMAC-SHA256 with node:crypto, the steps of docs/webhooks.md) and prints what it verified.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { newWebhookSecret } from '../src/webhooks/webhook.signer.js';

/** docs/webhooks.md, "A receiver, in any language": the five steps, here in TypeScript. */
export function verify(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const [id, timestamp, signatures] = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => headers[h]);
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((s) => {
    const given = Buffer.from(s.slice(s.indexOf(',') + 1), 'base64');
    return s.startsWith('v1,') && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export interface DemoReceiver {
  url: string;
  stop(): Promise<void>;
}

const DEMO_DESCRIPTION = 'npm run supergraph: the demo receiver';

/**
 * Starts the receiver and registers it as the demo workspace's endpoint, with a fresh secret on every start
 * (the previous demo endpoint goes, with its deliveries). `print` gets one line per verified event.
 */
export async function startDemoReceiver(opts: { pool: pg.Pool; workspaceId: string; host: string; port: number; print: (line: string) => void }): Promise<DemoReceiver> {
  const secret = newWebhookSecret();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (!verify(secret, req.headers, body)) {
      opts.print(`[webhook] REFUSED a request with a bad signature (webhook-id ${String(req.headers['webhook-id'])})`);
      res.writeHead(401).end();
      return;
    }
    const event = JSON.parse(body) as { type: string; data: { ticketId: string; rating: number; comment: string | null; unhappy: boolean; vocal: boolean } };
    const d = event.data;
    opts.print(
      `[webhook] verified ${event.type} ${req.headers['webhook-id']}: ticket ${d.ticketId} rated ${d.rating}` +
        `${d.comment ? ` "${d.comment.slice(0, 60)}"` : ''}${d.unhappy ? ' (unhappy)' : ''}${d.vocal ? ' (vocal)' : ''}`,
    );
    res.writeHead(204).end();
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(opts.port, opts.host, resolve));
  const url = `http://${opts.host}:${(server.address() as AddressInfo).port}/webhooks`;
  await opts.pool.query('delete from csat_webhook where workspace_id = $1 and description = $2', [opts.workspaceId, DEMO_DESCRIPTION]);
  await opts.pool.query(`insert into csat_webhook (workspace_id, url, description, events, secret) values ($1, $2, $3, array['csat.rating.created'], $4)`, [
    opts.workspaceId,
    url,
    DEMO_DESCRIPTION,
    secret,
  ]);
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
