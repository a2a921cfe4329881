/** docs/configuration.md is generated from the schema, and the schema describes every key. */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderConfigReference, type JsonSchema } from '../../src/config/reference';
import { configJsonSchema } from '../../src/config/schema';
import { REPO_ROOT } from '../helpers/local-stack';

const REGENERATE = 'npx tsc -p . && node dist/src/cli.js config-docs > docs/configuration.md';

/** Every key of the schema, wherever it is: nested objects, list items, union branches (a secret's two forms are one key). */
function keysOf(schema: JsonSchema, path = ''): Array<{ path: string; schema: JsonSchema }> {
  if (schema.writeOnly) return [];
  const keys = Object.entries(schema.properties ?? {}).flatMap(([key, child]) => {
    const childPath = path ? `${path}.${key}` : key;
    return [{ path: childPath, schema: child }, ...keysOf(child, childPath)];
  });
  const nested: Array<[string, JsonSchema]> = [
    ...(schema.items ? [[`${path}[]`, schema.items] as [string, JsonSchema]] : []),
    ...(typeof schema.additionalProperties === 'object' ? [[`${path}{}`, schema.additionalProperties] as [string, JsonSchema]] : []),
    ...[...(schema.oneOf ?? []), ...(schema.anyOf ?? [])].map((branch, i): [string, JsonSchema] => [`${path}<${i}>`, branch]),
  ];
  return [...keys, ...nested.flatMap(([nestedPath, branch]) => keysOf(branch, nestedPath))];
}

describe('configuration reference', () => {
  const schema = configJsonSchema() as JsonSchema;
  const reference = renderConfigReference(schema);

  it('ships docs/configuration.md equal to `wharf config-docs`', () => {
    const shipped = readFileSync(resolve(REPO_ROOT, 'docs/configuration.md'), 'utf8');
    expect(shipped === reference, `docs/configuration.md is out of date; regenerate it: ${REGENERATE}`).to.equal(true);
  });

  it('finds a description for every key, in every branch of the sources and sinks unions', () => {
    const keys = keysOf(schema);
    expect(keys.map((k) => k.path)).to.include.members(['sources[]<0>.url', 'sources[]<2>.longpollTimeoutMs', 'sinks[]<1>.maxAttempts']);
    const undescribed = keys.filter((k) => !k.schema.description?.trim()).map((k) => k.path);
    expect(undescribed, 'describe these keys in src/config/schema.ts').to.deep.equal([]);
  });

  it('gives every key of the schema one row', () => {
    const rows = reference.split('\n').filter((line) => line.startsWith('| `'));
    expect(rows).to.have.length(keysOf(schema).length);
  });

  it('names list items by type and shows the defaults a section overrides', () => {
    expect(reference).to.include('| `sources[type=couchdb-changes].requestTimeoutMs` | integer | `30000` (30 s) | no |');
    expect(reference).to.include('| `sinks[type=elasticsearch].batchSize` | integer | `500` | no |');
    expect(reference).to.include('| `actors.groups[].id` | string |  | yes |');
    expect(reference).to.include('| `actors.root.maxRestarts` | integer | `3` | no |');
    expect(reference).to.include('| `pipeline.consumers.retry.minMs` | integer | `500` | no |');
  });
});
