import { pino } from 'pino';
import type { LogLevel } from './config.js';

export type Logger = pino.Logger;

/** JSON lines on stdout; request-scoped children carry `requestId`. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'csat-subgraph' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // A token must never reach the log, even inside an error's request dump.
    redact: { paths: ['req.headers.authorization', 'headers.authorization', '*.authorization'], censor: '[redacted]' },
  });
}
