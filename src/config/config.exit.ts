import { ConfigError, loadConfig, type Config } from './config.js';

/** The configuration of a process entry point: a bad setting ends the process with its one-line message and exit code 2. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}
