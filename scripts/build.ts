// `npm run build`: compiles the servers to dist/ (tsc, incremental), copies the files they read next to
// their code and bundles the rating page's script (dist/web/csat-rate-page.js). `npm start` runs it first:
// production runs JavaScript, not TypeScript through a loader, which costs a fifth of the CPU per request
// (docs/performance.md).
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWebComponents, RATE_PAGE_ENTRY } from '../dev/web.bundle.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Files the compiled code reads by a path relative to its own module. */
const ASSETS = ['schema.graphql', 'dev/ticket.schema.sql', 'src/export/export.query.graphql'];

execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
for (const file of ASSETS) {
  const to = path.join(ROOT, 'dist', file);
  await mkdir(path.dirname(to), { recursive: true });
  await copyFile(path.join(ROOT, file), to);
}
// The rating page's enhancer, which the service serves itself (src/rating-links/link.script.ts reads it here; the
// image has no esbuild to bundle it at start).
await mkdir(path.join(ROOT, 'dist/web'), { recursive: true });
await writeFile(path.join(ROOT, 'dist/web/csat-rate-page.js'), (await bundleWebComponents(RATE_PAGE_ENTRY)).code);
