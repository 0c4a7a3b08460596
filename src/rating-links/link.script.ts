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
 * this module runs from (the image copies dist/web); run from the sources (tests, after the build their global
 * set-up runs), the second path is that same file.
 */
export const BUILT_SCRIPTS = [
  fileURLToPath(new URL('../../web/csat-rate-page.js', import.meta.url)),
  fileURLToPath(new URL('../../dist/web/csat-rate-page.js', import.meta.url)),
];

type Bundler = () => Promise<Buffer>;
let fromSources: Bundler | undefined;

/**
 * Development entry points (`npm run supergraph`, which never builds dist/) say how to bundle the script from
 * web/src when no built file exists. Production never does: esbuild is a dev dependency and dev/ is not in the
 * image, so this module imports nothing of theirs (the layers: production code never needs dev/).
 */
export function bundleRatePageScriptWith(bundler: Bundler): void {
  fromSources = bundler;
}

let loading: Promise<PageScriptAsset> | undefined;

/** The script, read (or bundled) once per process. */
export function ratePageScript(): Promise<PageScriptAsset> {
  return (loading ??= load());
}

async function load(): Promise<PageScriptAsset> {
  const code = (await readFirst(BUILT_SCRIPTS)) ?? (await fromSources?.());
  if (!code) throw new Error(`the rating page's script is not built (${BUILT_SCRIPTS[0]} is missing): run \`npm run build\``);
  const digest = createHash('sha256').update(code).digest();
  return { code, file: `${digest.toString('hex').slice(0, 16)}.js`, integrity: `sha256-${digest.toString('base64')}` };
}

async function readFirst(files: string[]): Promise<Buffer | undefined> {
  for (const file of files) {
    try {
      return await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return undefined;
}
