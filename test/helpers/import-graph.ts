/**
 * The import graph of src/ and wharf's layering rules over it, as pure functions so that the
 * rules themselves are tested on small synthetic graphs as well as on the real tree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A source file (path relative to src/, with .ts) and what it imports: relative paths resolved to src/-relative files, packages by name. */
export interface SourceFile {
  path: string;
  lines: number;
  imports: string[];
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

export function readSourceTree(srcDir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(parseSource(srcDir, path, readFileSync(path, 'utf8')));
    }
  };
  walk(srcDir);
  return files;
}

export function parseSource(srcDir: string, file: string, text: string): SourceFile {
  const imports: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    imports.push(spec.startsWith('.') ? `${relative(srcDir, resolve(dirname(file), spec))}.ts` : packageName(spec));
  }
  return { path: relative(srcDir, file), lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0), imports };
}

function packageName(spec: string): string {
  const parts = spec.replace(/^node:/, 'node:').split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The top-level unit of src/ a file belongs to: its folder, or the file's own name for files at the top. */
export function unitOf(path: string): string {
  const [first, ...rest] = path.split('/');
  return rest.length === 0 ? first.replace(/\.ts$/, '') : first;
}

/** Units that must not import each other, in the direction given: [importer, imported, why]. */
const FORBIDDEN: ReadonlyArray<[string, string, string]> = [
  ['sources', 'sinks', 'sources and sinks meet only through Kafka'],
  ['sinks', 'sources', 'sources and sinks meet only through Kafka'],
  ['kafka', 'sources', 'the Kafka folder knows records, not sources'],
  ['kafka', 'sinks', 'the Kafka folder knows records, not sinks'],
  ...['sources', 'sinks'].flatMap((adapter): Array<[string, string, string]> => [
    [adapter, 'supervisors', 'adapters do I/O and know nothing of supervision'],
    [adapter, 'actors', 'adapters do I/O and know nothing of actors'],
  ]),
  ...['actors', 'sources', 'sinks', 'kafka', 'coordination', 'metrics', 'config', 'service'].map(
    (unit): [string, string, string] => ['supervisors', unit, 'the supervisors are generic: they know no wharf component'],
  ),
  ['config', 'actors', 'validation is pure: the assembly checks actor kinds'],
  ['config', 'supervisors', 'validation is pure: the assembly builds the tree'],
];

/** Packages only one folder may import: the rest of wharf uses that folder's own interfaces. */
const PACKAGE_HOMES: Readonly<Record<string, string>> = { kafkajs: 'kafka', comedy: 'supervisors' };

export const MAX_LINES = 300;
export const MAX_SYSTEM_LINES = 200;

export function layeringViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  const known = new Set(files.map((f) => f.path));
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    const from = unitOf(file.path);
    for (const target of file.imports) {
      const home = PACKAGE_HOMES[target];
      if (home && from !== home) violations.push(`${file.path} imports ${target}, which only src/${home}/ may use`);
      if (!known.has(target)) continue;
      const to = unitOf(target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from)!.add(to);
      const rule = FORBIDDEN.find(([a, b]) => a === from && b === to);
      if (rule) violations.push(`${file.path} imports ${target}: ${rule[2]}`);
    }
  }
  for (const group of unitCycles(edges)) violations.push(`top-level folders import each other, directly or in a circle: ${group.join(', ')}`);
  return violations;
}

export function sizeViolations(files: readonly SourceFile[]): string[] {
  return files.flatMap((f) => {
    const limit = f.path === 'system.ts' ? MAX_SYSTEM_LINES : MAX_LINES;
    return f.lines > limit ? [`${f.path} has ${f.lines} lines (at most ${limit})`] : [];
  });
}

/** Each strongly connected group of more than one unit (Tarjan), sorted by name. */
export function unitCycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (unit: string) => {
    index.set(unit, index.size);
    low.set(unit, index.get(unit)!);
    stack.push(unit);
    onStack.add(unit);
    for (const next of edges.get(unit) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(unit, Math.min(low.get(unit)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(unit, Math.min(low.get(unit)!, index.get(next)!));
    }
    if (low.get(unit) === index.get(unit)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== unit);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const unit of [...edges.keys()].sort()) if (!index.has(unit)) visit(unit);
  return groups;
}
