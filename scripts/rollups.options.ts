// The two rollup scripts' shared start: DATABASE_URL, `--workspace <uuid>`, usage and one-line errors.
import { parseArgs } from 'node:util';
import pg from 'pg';
import { isUuid } from '../src/auth/viewer.js';

export async function rollupScript(name: string, run: (pool: pg.Pool, workspace: string | undefined) => Promise<number>): Promise<void> {
  const usage = `usage: npm run ${name} [-- --workspace <uuid>]   (DATABASE_URL: the service's database)`;
  const fail = (message: string): never => {
    console.error(`${message}\n${usage}`);
    process.exit(2);
  };
  let values: { workspace?: string; help?: boolean } = {};
  try {
    ({ values } = parseArgs({ options: { workspace: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (values.workspace !== undefined && !isUuid(values.workspace)) fail('--workspace must be a UUID');
  const url = process.env.DATABASE_URL;
  if (!url) fail(`${name} needs DATABASE_URL`);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {}); // an idle connection the server ends: the next query reports it
  try {
    process.exitCode = await run(pool, values.workspace?.toLowerCase());
  } catch (err) {
    // 2, as diff(1) says trouble: 1 is the check's "they differ".
    console.error(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  } finally {
    await pool.end();
  }
}
