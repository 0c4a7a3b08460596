// Errors the exporter explains to its user in one line. Anything else is a bug and is reported as such.

/** A failure the user can act on: its message is the whole story, printed as `csat-export: <message>`. */
export class ExportError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'ExportError';
  }
}

/** Bad command-line arguments (exit code 2, with a pointer to --help). */
export class UsageError extends ExportError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The export was stopped by SIGINT/SIGTERM (exit 130/143, the shell's convention). */
export class InterruptedError extends ExportError {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`interrupted by ${signal}`, signal === 'SIGINT' ? 130 : 143);
    this.name = 'InterruptedError';
  }
}

/** The reason an AbortSignal carries, as an Error (AbortSignal.reason may be anything). */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new ExportError('aborted');
}
