// Issue 17, items 6 and 8: what the HTTP layer refuses before GraphQL still gets the GraphQL error shape and a
// request id, and reaches the client: a body over LIMIT_BODY_BYTES from a client that keeps sending (20 MB, on
// real sockets), headers over Node's limit, a JSON body with a `__proto__` key.
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useTestApp } from './helpers/test.app.js';

const ctx = useTestApp({ LOG_LEVEL: 'warn' });
const MB = 1024 * 1024;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A socket that collects what the server writes, and records its errors (EPIPE, ECONNRESET) instead of throwing. */
function rawClient() {
  const { hostname, port } = new URL(ctx.app.url);
  const socket: Socket = connect(Number(port), hostname);
  const errors: string[] = [];
  let received = '';
  socket.setEncoding('utf8').on('data', (c: string) => (received += c));
  socket.on('error', (err: NodeJS.ErrnoException) => errors.push(err.code ?? err.message));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    errors,
    closed,
    /** Writes all of `data` in 64 KiB chunks, waiting for each to drain; false when the socket failed first. */
    async write(data: Buffer): Promise<boolean> {
      for (let at = 0; at < data.length; at += 64 * 1024) {
        if (socket.destroyed) return false;
        if (!socket.write(data.subarray(at, at + 64 * 1024))) {
          await new Promise<void>((resolve) => {
            socket.once('drain', resolve);
            socket.once('close', resolve);
          });
        }
      }
      return !socket.destroyed;
    },
    /** The first `n` complete answers. */
    async answers(n: number): Promise<RawAnswer[]> {
      await expect.poll(() => parse(received).length >= n || socket.destroyed, { timeout: 30_000 }).toBe(true);
      return parse(received);
    },
  };
}

function parse(text: string): RawAnswer[] {
  const out: RawAnswer[] = [];
  for (let rest = text; ; ) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) return out;
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length']);
    if (rest.length < end + 4 + length) return out;
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
}

describe('a body over LIMIT_BODY_BYTES from a client that keeps sending', () => {
  it('20 MB on a raw socket: every byte is accepted, the 413 arrives with its request id and the GraphQL shape, and the connection serves on', async () => {
    const client = rawClient();
    const size = 20 * MB;
    client.socket.write(`POST /graphql HTTP/1.1\r\nhost: t\r\nx-request-id: big-body-1\r\ncontent-type: application/json\r\ncontent-length: ${size}\r\n\r\n`);
    const sent = await client.write(Buffer.alloc(size, 0x20));
    expect(client.errors).toEqual([]);
    expect(sent).toBe(true);
    const [tooLarge] = await client.answers(1);
    expect(tooLarge!.status).toBe(413);
    expect(tooLarge!.headers['x-request-id']).toBe('big-body-1');
    expect(tooLarge!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(tooLarge!.body)).toEqual({ errors: [{ message: `request body too large (at most ${4 * MB} bytes)`, extensions: { code: 'BAD_REQUEST' } }] });
    // The rest of the body was read and dropped: the same connection takes the next request.
    const next = '{"query":"{ __typename }"}';
    client.socket.write(`POST /graphql HTTP/1.1\r\nhost: t\r\ncontent-type: application/json\r\ncontent-length: ${next.length}\r\n\r\n${next}`);
    const [, served] = await client.answers(2);
    expect(served!.status).toBe(200);
    expect(JSON.parse(served!.body)).toEqual({ data: { __typename: 'Query' } });
    client.socket.destroy();
  });

});

describe('headers over Node\'s limit (a 100 KB Authorization header)', () => {
  it('431 in the GraphQL shape (BAD_REQUEST) with a request id, read by the client rather than reset', async () => {
    const client = rawClient();
    client.socket.write(`POST /graphql HTTP/1.1\r\nhost: t\r\nauthorization: Bearer ${'a'.repeat(100 * 1024)}\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}`);
    const [answer] = await client.answers(1);
    expect(answer!.status).toBe(431);
    expect(answer!.headers['x-request-id']).toMatch(UUID_RE);
    expect(answer!.headers['content-type']).toMatch(/^application\/json/);
    expect(answer!.headers.connection).toBe('close');
    expect(JSON.parse(answer!.body)).toEqual({ errors: [{ message: 'request headers too large (at most 16384 bytes in all)', extensions: { code: 'BAD_REQUEST' } }] });
    await client.closed;
    expect(client.errors).toEqual([]);
  });

  it('a malformed request line: 400 in the same shape', async () => {
    const client = rawClient();
    client.socket.write('BREW /graphql HTCPCP/1.0\r\n\r\n');
    const [answer] = await client.answers(1);
    expect(answer!.status).toBe(400);
    expect(answer!.headers['x-request-id']).toMatch(UUID_RE);
    expect(JSON.parse(answer!.body)).toEqual({ errors: [{ message: 'malformed HTTP request', extensions: { code: 'BAD_REQUEST' } }] });
  });
});

describe('a JSON body with a "__proto__" key', () => {
  it.each([
    ['__proto__', '{"query":"{ __typename }","__proto__":{"polluted":true}}'],
    ['constructor.prototype', '{"query":"{ __typename }","variables":{"constructor":{"prototype":{"polluted":true}}}}'],
  ])('%s: 400 BAD_REQUEST that says what was refused and why (it is valid JSON)', async (_name, body) => {
    const res = await fetch(ctx.app.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'proto-1' }, body });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-request-id')).toBe('proto-1');
    const answer = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(answer).toEqual({ errors: [{ message: 'request body has a "__proto__" key (or "constructor" with "prototype"): valid JSON, refused for safety', extensions: { code: 'BAD_REQUEST' } }] });
    expect(answer.errors[0]!.message).not.toMatch(/not valid JSON/);
  });

  it('a body that really is not JSON is still called so', async () => {
    const res = await fetch(ctx.app.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0]!.message).toBe('request body is not valid JSON');
  });
});
