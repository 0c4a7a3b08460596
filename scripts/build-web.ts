// `npm run build:web`: the web components as one ES module plus type declarations, Lit included:
//   web/dist/csat-components.js, web/dist/csat-components.d.ts (and web/dist/types/), and prints the size.
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWebComponents, ROOT } from '../dev/web.bundle.js';

const OUT = path.join(ROOT, 'web/dist');
await rm(OUT, { recursive: true, force: true });
await mkdir(OUT, { recursive: true });
const bundle = await bundleWebComponents();
await writeFile(path.join(OUT, 'csat-components.js'), bundle.code);
execFileSync(
  path.join(ROOT, 'node_modules/.bin/tsc'),
  ['-p', 'web/tsconfig.json', '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--outDir', 'web/dist/types'],
  { cwd: ROOT, stdio: 'inherit' },
);
await writeFile(path.join(OUT, 'csat-components.d.ts'), "export * from './types/index.js';\n");
const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`web/dist/csat-components.js: ${bundle.raw} bytes (${kb(bundle.raw)}), ${bundle.gzip} bytes gzipped (${kb(bundle.gzip)}, gzip -9)`);
