/**
 * Every source type wharf has, by the `type` a configured source names. Adding a source type is
 * its folder plus one line here and one in sources/schema.ts (docs/extending.md). This file
 * imports the schemas' types only: the source pollers, which use it, never load zod.
 */
import { couchdbChangesSource } from './couchdb-changes';
import { httpJsonSource } from './http-json';
import { ndjsonFilesSource } from './ndjson-files';
import type { SourceConfig } from './schema';
import type { SourceAdapter } from './source-adapter';
import type { SourceType } from './source-type';

export type { SourceConfig } from './schema';

const SOURCE_TYPES: { readonly [T in SourceConfig['type']]: SourceType<Extract<SourceConfig, { type: T }>> } = {
  'http-json': httpJsonSource,
  'ndjson-files': ndjsonFilesSource,
  'couchdb-changes': couchdbChangesSource,
};

export function createSourceAdapter(config: SourceConfig): SourceAdapter {
  const found = SOURCE_TYPES[config.type] as SourceType<SourceConfig> | undefined;
  if (!found) throw new Error(`no source type "${config.type}"`); // the schema admits only registered types
  return found.createAdapter(config);
}

/**
 * Why a source of this configuration would refuse `cursor`, or undefined. An empty cursor means
 * nothing to any type (`wharf cursor reset` is the way back to the start).
 */
export function cursorProblem(config: SourceConfig, cursor: string): string | undefined {
  if (cursor.trim() === '') return 'an empty cursor: use `wharf cursor reset` to read the upstream from the start';
  return (SOURCE_TYPES[config.type] as SourceType<SourceConfig>).cursorProblem?.(cursor);
}
