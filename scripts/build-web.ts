// `npm run build:web`: the web components as two ES modules plus type declarations, Lit included in each:
//   web/dist/csat-components.js (prompt, card, chip), web/dist/csat-insights.js (the dashboard), their .d.ts
//   (and web/dist/types/); web/dist/csat-rate-page.js (the rating link page's enhancer, no Lit; the service
//   serves its own copy, from `npm run build`); and prints their sizes.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWebComponents, INSIGHTS_ENTRY, RATE_PAGE_ENTRY, ROOT } from '../dev/web.bundle.js';

const OUT = path.join(ROOT, 'web/dist');
await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const bundle = await bundleWebComponents();
await writeFile(path.join(OUT, 'csat-components.js'), bundle.code);
const insights = await bundleWebComponents(INSIGHTS_ENTRY);
await writeFile(path.join(OUT, 'csat-insights.js'), insights.code);
const ratePage = await bundleWebComponents(RATE_PAGE_ENTRY);
await writeFile(path.join(OUT, 'csat-rate-page.js'), ratePage.code);
execFileSync(
  path.join(ROOT, 'node_modules/.bin/tsc'),
  ['-p', 'web/tsconfig.json', '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--outDir', 'web/dist/types'],
  { cwd: ROOT, stdio: 'inherit' },
);
await writeFile(path.join(OUT, 'csat-components.d.ts'), "export * from './types/index.js';\n");
await writeFile(path.join(OUT, 'csat-insights.d.ts'), "export * from './types/insights.js';\n");
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
for (const [name, b] of [['csat-components.js', bundle], ['csat-insights.js', insights], ['csat-rate-page.js', ratePage]] as const) {
  console.log(`web/dist/${name}: ${b.raw} bytes (${kb(b.raw)}), ${b.gzip} bytes gzipped (${kb(b.gzip)}, gzip -9)`);
}
