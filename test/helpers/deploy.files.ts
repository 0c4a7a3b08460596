// Reading the deployment files as Docker, Compose and Kubernetes would: the Dockerfile's stages (dockerfile-ast),
// YAML with merge keys (the `yaml` package), and the environment a container of the runtime stage starts with.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import { parse, parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface DockerInstruction {
  keyword: string;
  flags: Record<string, string | null>;
  /** Whitespace-separated arguments, flags excluded. */
  args: string[];
  /** The exec form (a JSON array) of CMD, ENTRYPOINT, RUN and HEALTHCHECK's CMD; null for the shell form. */
  exec: string[] | null;
}

export interface DockerStage {
  name: string;
  /** FROM's image with the global ARG defaults substituted. */
  base: string;
  instructions: DockerInstruction[];
}

function execForm(text: string): string[] | null {
  const t = text.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

export function readDockerfile(file = 'Dockerfile'): { text: string; stages: DockerStage[] } {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const globals: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const i of DockerfileParser.parse(text).getInstructions()) {
    const keyword = i.getKeyword();
    const flags: Record<string, string | null> = {};
    const withFlags = i as unknown as { getFlags?: () => { getName(): string; getValue(): string | null }[] };
    for (const f of withFlags.getFlags?.() ?? []) flags[f.getName()] = f.getValue();
    const args = i.getArguments().map((a) => a.getValue());
    // Continuation lines joined, flags dropped: what Docker hands to the exec form.
    const content = (i.getArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ').replace(/^(\s*--\S+)+\s*/, '');
    const exec = keyword === 'HEALTHCHECK' ? execForm(content.replace(/^CMD\s+/, '')) : execForm(content);
    const instruction = { keyword, flags, args, exec };
    if (keyword === 'FROM') {
      const base = (args[0] ?? '').replace(/\$\{?(\w+)\}?/g, (_, name: string) => globals[name] ?? '');
      stages.push({ name: args[2] ?? String(stages.length), base, instructions: [] });
    } else if (!stages.length && keyword === 'ARG') {
      const [name, value] = (args[0] ?? '').split('=');
      if (name && value !== undefined) globals[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { text, stages };
}

/** The variables ENV sets in a stage (KEY=value pairs). */
export function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const i of stage.instructions.filter((x) => x.keyword === 'ENV')) {
    for (const a of i.args) {
      const [k, ...v] = a.split('=');
      env[k!] = v.join('=');
    }
  }
  return env;
}

export function readYaml(file: string): any {
  return parse(readFileSync(path.join(ROOT, file), 'utf8'), { merge: true });
}

export function readYamlDocuments(file: string): any[] {
  return parseAllDocuments(readFileSync(path.join(ROOT, file), 'utf8'), { merge: true })
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      return d.toJS();
    })
    .filter((d) => d !== null);
}

/** The `[section]` key = value pairs of an ini file (PgBouncer's). */
export function readIni(file: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section = '';
  for (const raw of readFileSync(path.join(ROOT, file), 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const s = line.match(/^\[(.+)\]$/);
    if (s) section = s[1]!;
    else {
      const [k, ...v] = line.split('=');
      (out[section] ??= {})[k!.trim()] = v.join('=').trim();
    }
  }
  return out;
}
