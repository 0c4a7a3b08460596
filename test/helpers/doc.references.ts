// What the docs and the code comments point at, and whether it is there: relative links and anchors in
// Markdown (anchors as GitHub renders headings, github-slugger), repository paths named in code spans and in
// code comments. Every finding is a line `file:line: what`, so one run lists them all.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import GithubSlugger from 'github-slugger';
import ts from 'typescript';

/** Git-ignored or generated: not the repository's own files (dist/ is checked through its sources). */
const NOT_OURS = new Set(['node_modules', 'dist', '.data', '.git', 'coverage']);
/** Written by `npm run build:web`, and the rating page's bundle by `npm run build`: named in docs and comments, never in a checkout. */
const GENERATED = /^(web\/dist(\/|$)|dist\/web\/csat-rate-page\.js$)/;
/** A file of ours named alone: `<thing>.<role>.ts` (our naming), or a Markdown page. */
const OUR_FILE_NAME = /(?<![\w/.@-])((?![\w.-]+\.d\.ts\b)[\w-]+(?:\.[\w-]+)+\.(?:ts|sql)|[\w-]+(?:\.[\w-]+)*\.md)(?![\w/-])/g;

export interface Finding {
  file: string;
  line: number;
  message: string;
}

export const formatFinding = (f: Finding) => `${f.file}:${f.line}: ${f.message}`;

/** Every file of the repository (relative, with `/`), generated and ignored folders left out. */
export function repoFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (NOT_OURS.has(entry.name) || child === 'web/dist') continue;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk('');
  return out.sort();
}

/** The text GitHub renders for a heading's Markdown: links, emphasis and tags reduced to their text; code spans verbatim. */
function headingText(markdown: string): string {
  return markdown
    .split(/(`+[^`]*`+)/)
    .map((part, i) =>
      i % 2 === 1
        ? part.replace(/^`+|`+$/g, '')
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<[^>]+>/g, '')
            .replace(/\*\*|\*/g, '')
            .replace(/(^|\W)__?(\S[^_]*?)__?(?=\W|$)/g, '$1$2'),
    )
    .join('');
}

interface MarkdownLine {
  n: number;
  text: string;
  /** Inside a fenced code block. */
  fenced: boolean;
}

function markdownLines(text: string): MarkdownLine[] {
  let fence: string | undefined;
  return text.split('\n').map((line, i) => {
    const m = line.match(/^\s{0,3}(`{3,}|~{3,})/);
    if (m) {
      if (!fence) fence = m[1]!;
      else if (m[1]!.startsWith(fence[0]!) && m[1]!.length >= fence.length) fence = undefined;
      return { n: i + 1, text: line, fenced: true };
    }
    return { n: i + 1, text: line, fenced: fence !== undefined };
  });
}

/** The anchors GitHub gives a Markdown file: one per heading (repeats get -1, -2, …) and explicit `<a id|name>`. */
export function anchorsOf(text: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const { text: line, fenced } of markdownLines(text)) {
    if (fenced) continue;
    const h = line.match(/^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/);
    if (h) anchors.add(slugger.slug(headingText(h[1]!)));
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(a[1]!);
  }
  return anchors;
}

/** Code spans of a line, and the line with them blanked (so that a link's syntax inside one is not a link). */
function codeSpans(line: string): { spans: string[]; rest: string } {
  const spans: string[] = [];
  const rest = line.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_, _ticks: string, body: string) => {
    spans.push(body.trim());
    return ' '.repeat(body.length + 2);
  });
  return { spans, rest };
}

export class ReferenceChecker {
  readonly files: string[];
  private readonly fileSet: Set<string>;
  private readonly dirSet = new Set<string>();
  private readonly basenames = new Set<string>();
  /** Folders a comment may name from the root (`docs/…`) or, as older comments do, from src/ (`db/…`). */
  private readonly rootDirs: Set<string>;
  private readonly srcDirs: Set<string>;
  private readonly anchorCache = new Map<string, Set<string>>();

  constructor(private readonly root: string) {
    this.files = repoFiles(root);
    this.fileSet = new Set(this.files);
    for (const f of this.files) {
      this.basenames.add(path.posix.basename(f));
      for (let d = path.posix.dirname(f); d !== '.'; d = path.posix.dirname(d)) this.dirSet.add(d);
    }
    const topDirs = (under: string) => new Set([...this.dirSet].filter((d) => path.posix.dirname(d) === under).map((d) => path.posix.basename(d)));
    this.rootDirs = topDirs('.');
    this.srcDirs = topDirs('src');
  }

  private exists(rel: string): boolean {
    const clean = rel.replace(/\/$/, '');
    return this.fileSet.has(clean) || this.dirSet.has(clean) || (clean === '' || clean === '.');
  }

  /** A source named by what it compiles to: `dist/src/main.js` is `src/main.ts`; an import's `./x.js` is `./x.ts`. */
  private existsAsSource(rel: string): boolean {
    if (this.exists(rel) || GENERATED.test(rel)) return true;
    const src = rel.replace(/^dist\//, '').replace(/\.js$/, '.ts');
    return this.exists(src) || (rel.startsWith('dist/') && this.exists(rel.replace(/^dist\//, '')));
  }

  private anchors(rel: string): Set<string> {
    let a = this.anchorCache.get(rel);
    if (!a) this.anchorCache.set(rel, (a = anchorsOf(readFileSync(path.join(this.root, rel), 'utf8'))));
    return a;
  }

  /** Relative links and anchors, and repository paths in code spans, of one Markdown file. */
  checkMarkdown(file: string): Finding[] {
    const findings: Finding[] = [];
    const text = readFileSync(path.join(this.root, file), 'utf8');
    const dir = path.posix.dirname(file);
    for (const { n, text: line, fenced } of markdownLines(text)) {
      if (fenced) continue;
      const { spans, rest } = codeSpans(line);
      const targets = [...rest.matchAll(/\]\(\s*<?([^()\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
      const def = rest.match(/^\s{0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s|$)/);
      if (def) targets.push(def[1]!);
      for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
        const [rawPath = '', anchor] = target.split('#', 2) as [string, string | undefined];
        const linked = rawPath === '' ? file : path.posix.normalize(path.posix.join(dir, decodeURIComponent(rawPath)));
        if (linked.startsWith('../') || !this.exists(linked)) {
          findings.push({ file, line: n, message: `link ${target}: ${linked} does not exist` });
          continue;
        }
        if (anchor === undefined || anchor === '') continue;
        if (!linked.endsWith('.md')) {
          if (!/^L\d+(-L\d+)?$/.test(anchor)) findings.push({ file, line: n, message: `link ${target}: an anchor into a file that is not Markdown` });
          continue;
        }
        if (!this.anchors(linked).has(anchor)) findings.push({ file, line: n, message: `link ${target}: ${linked} has no heading with the anchor #${anchor}` });
      }
      for (const span of spans) {
        const named = this.namedPath(span, { wholeSpan: true });
        if (named && !this.existsAsSource(named)) findings.push({ file, line: n, message: `\`${span}\` names ${named}, which does not exist` });
        for (const m of span.matchAll(OUR_FILE_NAME)) {
          if (!this.basenames.has(m[1]!)) findings.push({ file, line: n, message: `\`${span}\` names ${m[1]}, which is no file of the repository` });
        }
      }
    }
    return findings;
  }

  /**
   * The repository path a piece of text names, or undefined when it names none: a path from the root (its
   * first folder one of the root's, `src/…`, `docs/…`) or a file or folder in src/ named as from src/
   * (`db/database.ts`), as comments here do.
   */
  private namedPath(candidate: string, opts: { wholeSpan: boolean; fromDir?: string }): string | undefined {
    let p = candidate.replace(/[),.;:]+$/, '').replace(/:\d+(-\d+)?$/, '');
    if (opts.wholeSpan && !/^(\.{1,2}\/)*[\w-][\w.-]*(\/[\w.-]+)*\/?$/.test(p)) return undefined;
    if (!p.includes('/')) return undefined;
    if (p.startsWith('./') || p.startsWith('../')) {
      if (!opts.fromDir) return undefined;
      p = path.posix.normalize(path.posix.join(opts.fromDir, p));
      return p.startsWith('../') ? undefined : p;
    }
    const first = p.split('/')[0]!;
    if (first === 'dist') return p;
    if (this.rootDirs.has(first)) return p;
    if (this.srcDirs.has(first) && !this.rootDirs.has(first)) return `src/${p}`;
    return undefined;
  }

  /** Repository paths and file names named in the comments of one source file. */
  checkComments(file: string): Finding[] {
    const findings: Finding[] = [];
    const text = readFileSync(path.join(this.root, file), 'utf8');
    const fromDir = path.posix.dirname(file);
    for (const c of commentsOf(file, text)) {
      const body = c.text.replace(/\bhttps?:\/\/\S+/g, (url) => ' '.repeat(url.length));
      for (const m of body.matchAll(/(?<![\w@/:.-])((?:\.{1,2}\/)*[\w-][\w.-]*(?:\/[\w.-]+)+\/?)/g)) {
        const named = this.namedPath(m[1]!, { wholeSpan: false, fromDir });
        if (named && !this.existsAsSource(named) && !this.exists(path.posix.join(fromDir, m[1]!))) {
          findings.push({ file, line: c.line + lineOffset(body, m.index), message: `comment names ${m[1]!.replace(/[),.;:]+$/, '')}, which does not exist` });
        }
      }
      // A file of ours named alone (`webhook.store.ts`): some file of the repository must carry that name.
      for (const m of body.matchAll(OUR_FILE_NAME)) {
        if (!this.basenames.has(m[1]!)) findings.push({ file, line: c.line + lineOffset(body, m.index), message: `comment names ${m[1]}, which is no file of the repository` });
      }
    }
    return findings;
  }
}

const lineOffset = (text: string, index: number) => text.slice(0, index).split('\n').length - 1;

/** The comments of a source file with the line each starts on: TypeScript's scanner for .ts/.js, simple rules for the rest. */
export function commentsOf(file: string, text: string): { line: number; text: string }[] {
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length;
  const regexComments = (re: RegExp) => [...text.matchAll(re)].map((m) => ({ line: lineOf(m.index), text: m[0] }));
  if (/\.(ts|js|mjs|cjs)$/.test(file)) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
    const seen = new Map<number, { line: number; text: string }>();
    const collect = (ranges: readonly ts.CommentRange[] | undefined) => {
      for (const r of ranges ?? []) if (!seen.has(r.pos)) seen.set(r.pos, { line: lineOf(r.pos), text: text.slice(r.pos, r.end) });
    };
    const visit = (node: ts.Node) => {
      collect(ts.getLeadingCommentRanges(text, node.getFullStart()));
      collect(ts.getTrailingCommentRanges(text, node.getEnd()));
      for (const child of node.getChildren(sf)) visit(child);
    };
    visit(sf);
    return [...seen.values()];
  }
  if (file.endsWith('.html')) return regexComments(/<!--[\s\S]*?-->/g);
  if (file.endsWith('.css')) return regexComments(/\/\*[\s\S]*?\*\//g);
  if (file.endsWith('.sql')) return regexComments(/--[^\n]*|\/\*[\s\S]*?\*\//g);
  if (file.endsWith('.graphql')) return regexComments(/#[^\n]*/g);
  return [];
}
