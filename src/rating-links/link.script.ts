import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The rating page's one script (`<csat-rate-page>`, web/src/rate-page.ts), as the service serves it. */
export interface PageScriptAsset {
  code: Buffer;
  /** `<16 hex digits of its SHA-256>.js`: the URL changes with the content, so it can be cached for ever. */
  file: string;
  /** `sha256-<base64>`: the script tag's integrity and the page's CSP allowance. */
  integrity: string;
}

/**
 * Where `npm run build` writes it (scripts/build.ts): `csat-rate-page.js` in dist/web, beside the compiled dist/src
 * this module runs from (the image copies dist/web). Run from the sources (tests, `npm run supergraph`), the same
 * relative path points into the repository's web folder, where nothing writes it: the module is then bundled from
 * web/src in memory.
 */
export const BUILT_SCRIPT = fileURLToPath(new URL('../../web/csat-rate-page.js', import.meta.url));

let loading: Promise<PageScriptAsset> | undefined;

/** The script, read (or bundled) once per process. */
export function ratePageScript(): Promise<PageScriptAsset> {
  return (loading ??= load());
}

async function load(): Promise<PageScriptAsset> {
  let code: Buffer;
  try {
    code = await readFile(BUILT_SCRIPT);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    code = await bundleFromSources();
  }
  const digest = createHash('sha256').update(code).digest();
  return { code, file: `${digest.toString('hex').slice(0, 16)}.js`, integrity: `sha256-${digest.toString('base64')}` };
}

/** Development only: esbuild is a dev dependency, and dev/ is not in the image, where the built file must be. */
async function bundleFromSources(): Promise<Buffer> {
  let bundle: typeof import('../../dev/web.bundle.js');
  try {
    bundle = await import('../../dev/web.bundle.js');
  } catch (err) {
    throw new Error(`the rating page's script is not built (${BUILT_SCRIPT} is missing): run \`npm run build\``, { cause: err });
  }
  return Buffer.from((await bundle.bundleWebComponents(bundle.RATE_PAGE_ENTRY)).code);
}
