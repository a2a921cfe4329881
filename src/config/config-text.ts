/**
 * A configuration file's text to plain data: YAML (`.yaml`, `.yml`; comments allowed) or JSON,
 * with `${NAME}` / `${NAME:-fallback}` interpolated on the text, before parsing, as Vector and
 * Logstash do, so a number or a boolean can come from the environment: `port: ${PORT}`,
 * `partitions: ${PARTITIONS:-6}`, `"partitions": ${PARTITIONS}` in JSON. `$${` is a literal `${`.
 *
 * Why not a plain text substitution: a value with YAML's own characters (a password holding
 * `: `, ` #`, a quote or a newline) would turn into keys, comments or a broken file. So each
 * placeholder is first swapped for an inert token, the document is parsed, and only then is the
 * token replaced by its value, inside the one scalar it was written in; a value can never become
 * structure. A scalar written without quotes (plain YAML, or bare in JSON) is then typed as YAML's
 * core schema types a plain scalar (a number, true/false, null; anything else stays a string);
 * written in quotes it is always a string: quote a placeholder whose value must stay text
 * (`password: "${WHARF_COUCHDB_PASSWORD}"`). Keys are interpolated too, as strings.
 */
import { randomBytes } from 'node:crypto';
import { isMap, isScalar, isSeq, parseDocument, parse as parseYaml, Scalar, type Node } from 'yaml';
import type { ConfigIssue } from '../errors';
import { lookup, PLACEHOLDER, type Placeholder } from './interpolate';

export type ConfigFormat = 'yaml' | 'json';

/** Where a value typed from an unquoted placeholder landed: so "expected string" can say why. */
export type TypedPlaceholders = Map<string, string>;

export interface ParsedText {
  raw: unknown;
  issues: ConfigIssue[];
  typed: TypedPlaceholders;
}

export function formatOf(file: string): ConfigFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

/** YAML 1.2 core schema plain scalars that are not strings. */
const CORE_SCALAR = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

function typed(text: string): unknown {
  if (text === '') return null;
  return CORE_SCALAR.test(text) ? (parseYaml(text) as unknown) : text;
}

class Tokens {
  readonly placeholders: Placeholder[] = [];
  /** Tokens written bare in JSON (outside a string): typed like a plain YAML scalar. */
  readonly bare = new Set<string>();
  private readonly prefix: string;
  readonly pattern: RegExp;

  constructor(text: string) {
    let nonce = randomBytes(4).toString('hex');
    while (text.includes(nonce)) nonce = randomBytes(4).toString('hex');
    this.prefix = `wharfenv${nonce}n`;
    this.pattern = new RegExp(`${this.prefix}(\\d+)x`, 'g');
  }

  add(whole: string, name: string, fallback: string | undefined): string {
    this.placeholders.push({ whole, name, fallback });
    return `${this.prefix}${this.placeholders.length - 1}x`;
  }

  /** The text with every token back as written: for error messages. */
  restore(text: string): string {
    return text.replace(this.pattern, (_, i: string) => this.placeholders[Number(i)].whole);
  }
}

function protect(text: string, format: ConfigFormat, tokens: Tokens): string {
  const swap = (whole: string, escaped: string | undefined, name: string, fallback: string | undefined) =>
    escaped ? whole.slice(1) : tokens.add(whole, name, fallback);
  if (format === 'yaml') return text.replace(PLACEHOLDER, swap);
  // JSON: a string keeps its tokens inside it; a bare placeholder becomes a string holding a token.
  const stringOrPlaceholder = new RegExp(`"(?:[^"\\\\]|\\\\.)*"|${PLACEHOLDER.source}`, 'g');
  return text.replace(stringOrPlaceholder, (whole, escaped: string | undefined, name: string | undefined, fallback: string | undefined) => {
    if (whole.startsWith('"')) return whole.replace(PLACEHOLDER, swap);
    if (escaped) return whole.slice(1);
    const token = tokens.add(whole, name!, fallback);
    tokens.bare.add(token);
    return `"${token}"`;
  });
}

export function parseConfigText(text: string, format: ConfigFormat, env: NodeJS.ProcessEnv): ParsedText {
  const tokens = new Tokens(text);
  const protectedText = protect(text, format, tokens);
  const issues: ConfigIssue[] = [];
  const typedAt: TypedPlaceholders = new Map();

  const resolve = (value: string, path: string, plain: boolean): unknown => {
    let written = '';
    const out = value.replace(tokens.pattern, (_, i: string) => {
      const placeholder = tokens.placeholders[Number(i)];
      written += placeholder.whole;
      return lookup(placeholder, env, issues, path);
    });
    if (!plain || out === value) return out;
    const result = typed(out);
    if (typeof result !== 'string') typedAt.set(path, written);
    return result;
  };

  if (format === 'json') {
    let raw: unknown;
    try {
      raw = JSON.parse(protectedText);
    } catch (err) {
      issues.push({ path: '', message: `not valid JSON: ${tokens.restore((err as Error).message)}` });
      return { raw: undefined, issues, typed: typedAt };
    }
    const walk = (value: unknown, path: string): unknown => {
      if (typeof value === 'string') return resolve(value, path, tokens.bare.has(value));
      if (Array.isArray(value)) return value.map((item, i) => walk(item, `${path}[${i}]`));
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => {
        const name = String(resolve(key, path, false));
        return [name, walk(item, path ? `${path}.${name}` : name)];
      }));
    };
    return { raw: walk(raw, ''), issues, typed: typedAt };
  }

  const doc = parseDocument(protectedText, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    // The first line only: the excerpt after it would quote the file, and a file may hold a secret.
    for (const err of doc.errors) issues.push({ path: '', message: `not valid YAML: ${tokens.restore(err.message.split('\n')[0].replace(/:$/, ''))}` });
    return { raw: undefined, issues, typed: typedAt };
  }
  const walk = (node: Node | null | undefined, path: string): void => {
    if (isScalar(node)) {
      if (typeof node.value === 'string') node.value = resolve(node.value, path, node.type === Scalar.PLAIN);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, `${path}[${i}]`));
    } else if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && typeof pair.key.value === 'string') pair.key.value = resolve(pair.key.value, path, false);
        const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.value as Node, path ? `${path}.${name}` : name);
      }
    }
  };
  walk(doc.contents, '');
  return { raw: doc.toJS({ maxAliasCount: 1000 }) as unknown, issues, typed: typedAt };
}
