import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

// Refused early, a client may still be sending (a body over the limit, headers over Node's). Closing at once
// would make the kernel answer its next bytes with a reset, which discards our answer before the client reads
// it (it sees EPIPE or ECONNRESET). As nginx's lingering close does, read and discard what it still sends, up to
// a bound, and only then close.
/** Discarded at most, past the refusal. */
export const LINGER_BYTES = 64 * 1024 * 1024;
/** Lingering at most. */
export const LINGER_MS = 10_000;

/** The request's body is read and dropped (the connection stays usable once it ends); past the bound, the socket closes. */
export function lingerOnBody(request: IncomingMessage): void {
  const socket = request.socket;
  let bytes = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  const done = () => clearTimeout(timer);
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > LINGER_BYTES) {
      done();
      socket.destroy();
    }
  });
  request.once('end', done).once('close', done);
  request.resume();
}

/** Writes `answer` on a socket Node's HTTP parser gave up on, half-closes it, drops what still arrives, then closes. */
export function lingerThenClose(socket: Socket, answer: string): void {
  let bytes = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  socket.once('close', () => clearTimeout(timer));
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > LINGER_BYTES) socket.destroy();
  });
  // The client's FIN ends the linger early.
  socket.once('end', () => socket.destroy());
  socket.end(answer);
  socket.resume();
}
