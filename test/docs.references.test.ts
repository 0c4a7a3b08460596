// The docs and the comments point at things that exist: every relative link and anchor in README.md and docs/
// (and bench/README.md), every repository path in their code spans, and every repository path or file name in
// a code comment. A file moved or renamed without its references fails here, with every stale one listed.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { anchorsOf, formatFinding, ReferenceChecker } from './helpers/doc.references.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const checker = new ReferenceChecker(ROOT);
const markdown = checker.files.filter((f) => f === 'README.md' || /^docs\/[^/]+\.md$/.test(f) || f === 'bench/README.md');
const sources = checker.files.filter((f) => /^(src|dev|scripts|bench|test|migrations|bin|web\/src)\//.test(f) || /^[^/]+\.ts$/.test(f));

describe('references in the docs and the code', () => {
  it('the checker sees the docs and the sources', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/contract.md', 'docs/tests.md', 'bench/README.md']));
    expect(sources.length).toBeGreaterThan(100);
  });

  it('anchors are GitHub\'s: lower case, punctuation dropped, spaces to hyphens, repeats numbered', () => {
    const anchors = anchorsOf('# Who sees the CSAT fields\n## Insights (`npm run bench:insights`)\n## Settings and `CSAT_DISABLED`\n## Repeat\n## Repeat\n```\n# not a heading\n```\n<a id="kept"></a>');
    expect([...anchors]).toEqual(['who-sees-the-csat-fields', 'insights-npm-run-benchinsights', 'settings-and-csat_disabled', 'repeat', 'repeat-1', 'kept']);
  });

  it('a file moved without its references: every stale link, anchor, path and file name is listed, at once', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'csat-references-'));
    try {
      const files: Record<string, string> = {
        'README.md': '# Repo\n[ok](docs/a.md#kept-heading) [gone](docs/moved.md) [anchor](docs/a.md#no-such) [self](#repo)\n`src/x/y.ts` and `src/x/old.ts`\n',
        'docs/a.md': '## Kept `heading`\n[up](../README.md#repo) [wrong base](docs/a.md)\n',
        'src/x/y.ts': '// Reads x/y.ts and x/old.ts (src/x/old.ts), docs/a.md and docs/b.md; see y.store.ts\nexport const a = "not/a/comment.ts";\n',
      };
      for (const [f, text] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(root, f)), { recursive: true });
        await writeFile(path.join(root, f), text);
      }
      const fixture = new ReferenceChecker(root);
      const found = [...fixture.checkMarkdown('README.md'), ...fixture.checkMarkdown('docs/a.md'), ...fixture.checkComments('src/x/y.ts')].map(formatFinding);
      expect(found).toEqual([
        'README.md:2: link docs/moved.md: docs/moved.md does not exist',
        'README.md:2: link docs/a.md#no-such: docs/a.md has no heading with the anchor #no-such',
        'README.md:3: `src/x/old.ts` names src/x/old.ts, which does not exist',
        'docs/a.md:2: link docs/a.md: docs/docs/a.md does not exist',
        'src/x/y.ts:1: comment names x/old.ts, which does not exist',
        'src/x/y.ts:1: comment names src/x/old.ts, which does not exist',
        'src/x/y.ts:1: comment names docs/b.md, which does not exist',
        'src/x/y.ts:1: comment names y.store.ts, which is no file of the repository',
      ]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('every relative link and anchor in README.md and docs/ resolves, and every path in a code span exists', () => {
    const findings = markdown.flatMap((f) => checker.checkMarkdown(f)).map(formatFinding);
    expect(findings, findings.join('\n')).toEqual([]);
  });

  it('every repository path and file name in a code comment exists', () => {
    const findings = sources.flatMap((f) => checker.checkComments(f)).map(formatFinding);
    expect(findings, findings.join('\n')).toEqual([]);
  });
});
