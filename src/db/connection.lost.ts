/**
 * A dropped PostgreSQL connection as a log field: its message and SQLSTATE. pg-pool hangs the whole client on
 * an idle connection's error (`err.client`), which a log line has no use for.
 */
export const connectionLost = (err: Error & { code?: string }) => ({ message: err.message, code: err.code });
