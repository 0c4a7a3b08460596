/** A start-up failure a person can act on (unreachable database, missing relation): printed as one line, no stack. */
export class StartupError extends Error {
  override name = 'StartupError';
}
