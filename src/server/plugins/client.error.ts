import { randomUUID } from 'node:crypto';
import { maxHeaderSize } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../../config/logger.js';
import { lingerThenClose } from './linger.js';
import { httpError } from './http.error.js';

/** A refusal written on the socket itself: the request was too malformed for Fastify to see (headers too large, a broken request line). */
function clientErrorAnswer(status: number, reason: string, message: string, requestId: string): string {
  const body = JSON.stringify(httpError(message));
  return (
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `x-request-id: ${requestId}\r\nx-content-type-options: nosniff\r\nconnection: close\r\n\r\n${body}`
  );
}

/**
 * Fastify's `clientErrorHandler`: Node calls it for what never became a request: headers over its limit (431),
 * a malformed request line (400), a header timeout (408). The answer is ours (GraphQL shape, a request id); then
 * the socket lingers, reading what the client still sends, so that it reads the answer rather than a reset.
 */
export function clientErrorHandler(logger: Logger) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (err.code === 'ECONNRESET' || socket.destroyed || socket.writableEnded) return;
    const requestId = randomUUID();
    const [status, reason, message] =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', `request headers too large (at most ${maxHeaderSize} bytes in all)`]
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', 'the request was not received in time']
          : [400, 'Bad Request', 'malformed HTTP request'];
    logger.debug({ requestId, code: err.code, status }, 'malformed request refused');
    lingerThenClose(socket, clientErrorAnswer(status, reason, message, requestId));
  };
}
