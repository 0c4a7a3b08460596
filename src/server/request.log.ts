import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from '../config/logger.js';

/** How a write to a socket whose client hung up fails: not the service's error. */
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/**
 * Fastify's per-request log lines, ours: one line per request when it completes (method, path, status,
 * ms) instead of two, and a client that goes away mid-answer is the client's business: debug, not an error.
 */
/**
 * The path a log line names: the route's pattern when one matched (`/rate/:token`, never a rating link's token),
 * else the path without its query.
 */
export function loggedPath(request: FastifyRequest): string {
  return request.routeOptions.url ?? request.url.split('?', 1)[0]!;
}

export class RequestLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error && CLIENT_GONE.has((error as NodeJS.ErrnoException).code ?? '')) {
      request.log.debug({ code: (error as NodeJS.ErrnoException).code, method: request.method, path: loggedPath(request) }, 'client went away before the answer was sent');
      return;
    }
    if (error) {
      reply.log.error({ err: error, method: request.method, path: loggedPath(request), status: reply.statusCode }, 'request failed');
      return;
    }
    if (!(request.log as Logger).isLevelEnabled('info')) return;
    request.log.info({ method: request.method, path: loggedPath(request), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
  }

  override streamError(error: Error, request: FastifyRequest): void {
    request.log.debug({ code: (error as NodeJS.ErrnoException).code, msg: error.message }, 'client went away before the answer was sent');
  }

  override routeNotFound(): void {}
}
