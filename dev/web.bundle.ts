// The web components (web/) as ES modules, Lit included in each: the prompt, card and chip in one, the
// <csat-insights> dashboard in its own; and the rating link page's enhancer (<csat-rate-page>, no Lit). What
// `npm run build:web` writes to web/dist/ and what the demo pages of `npm run supergraph` load (built in memory at
// start, so web/dist is never needed); `npm run build` writes the enhancer to dist/web/ for the service to serve.
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleRatePageScriptWith } from '../src/rating-links/link.script.js';

/** The repository root, from dev/ or from its compiled copy in dist/dev/. */
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, path.basename(path.dirname(HERE)) === 'dist' ? '../..' : '..');
export const WEB_ENTRY = path.join(ROOT, 'web/src/index.ts');
export const INSIGHTS_ENTRY = path.join(ROOT, 'web/src/insights.ts');
export const RATE_PAGE_ENTRY = path.join(ROOT, 'web/src/rate-page.ts');

export interface WebBundle {
  code: string;
  /** Bytes of the minified module, and gzipped at level 9. */
  raw: number;
  gzip: number;
}

/** `csat-components.js` by default; `INSIGHTS_ENTRY` gives `csat-insights.js`, `RATE_PAGE_ENTRY` `csat-rate-page.js`. */
export async function bundleWebComponents(entry = WEB_ENTRY): Promise<WebBundle> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    tsconfig: path.join(ROOT, 'web/tsconfig.json'),
    // Lit's production build (no dev-mode warnings).
    conditions: ['production'],
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.text;
  const bytes = Buffer.from(code);
  return { code, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/**
 * For processes run from the sources, where dist/ may not be built (`npm run supergraph`, the benches that create the
 * app in-process): the rating page's script is bundled in memory when no built file exists.
 */
export function bundleRatePageInMemory(): void {
  bundleRatePageScriptWith(async () => Buffer.from((await bundleWebComponents(RATE_PAGE_ENTRY)).code));
}
