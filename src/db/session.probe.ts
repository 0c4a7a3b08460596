import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { StartupError } from '../errors/startup.error.js';

/** A direct connection hears its NOTIFY in milliseconds; this is for a loaded machine. */
const HEAR_WITHIN_MS = 3000;

/**
 * Does `url` keep a session from one statement to the next (a direct connection or a session pooler), or is
 * it a transaction (or statement) pooler? Asked the way the worker needs it: a LISTEN on one connection hears a
 * NOTIFY from another only if the LISTEN stayed on the listener's server connection. A transaction pooler
 * returns that server connection to its pool after the LISTEN, and the notification never reaches the listener.
 * A URL that cannot be reached at all answers `true`: the database's own start reports that, with its message.
 */
export async function keepsSession(url: string): Promise<boolean> {
  const channel = `csat_probe_${randomUUID().replaceAll('-', '')}`;
  const listener = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  const notifier = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  listener.on('error', () => {});
  notifier.on('error', () => {});
  try {
    try {
      await Promise.all([listener.connect(), notifier.connect()]);
    } catch {
      return true;
    }
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<boolean>((resolve) => {
      listener.on('notification', (n) => n.channel === channel && resolve(true));
      timer = setTimeout(() => resolve(false), HEAR_WITHIN_MS);
    });
    await listener.query(`listen ${channel}`);
    await notifier.query(`notify ${channel}`);
    const answer = await heard;
    clearTimeout(timer);
    return answer;
  } finally {
    await listener.query(`unlisten ${channel}`).catch(() => {});
    await Promise.all([listener.end().catch(() => {}), notifier.end().catch(() => {})]);
  }
}

/** Each URL that must keep a session, probed once (they are often the same URL); the first that does not fails the start. */
export async function assertSessionsKept(needs: { url: string; problem: string }[]): Promise<void> {
  const answers = new Map<string, Promise<boolean>>();
  for (const { url } of needs) if (!answers.has(url)) answers.set(url, keepsSession(url));
  for (const { url, problem } of needs) if (!(await answers.get(url))) throw new StartupError(problem);
}
