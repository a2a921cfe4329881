/**
 * Every source type wharf has, by the `type` a configured source names. Adding a source type is
 * its folder plus one line here (docs/extending.md).
 */
import { z } from 'zod';
import { couchdbChangesSource } from './couchdb-changes';
import { httpJsonSource } from './http-json';
import { ndjsonFilesSource } from './ndjson-files';
import type { SourceAdapter } from './source-adapter';
import type { SourceType } from './source-type';

const SOURCE_TYPES = [httpJsonSource, ndjsonFilesSource, couchdbChangesSource] as const;

type SchemasOf<T extends readonly SourceType[]> = { -readonly [K in keyof T]: T[K]['schema'] };

/** A configured source, of any type. */
export const SourceSchema = z.discriminatedUnion('type', SOURCE_TYPES.map((t) => t.schema) as unknown as SchemasOf<typeof SOURCE_TYPES>);
export type SourceConfig = z.output<typeof SourceSchema>;

export function createSourceAdapter(config: SourceConfig): SourceAdapter {
  const found = SOURCE_TYPES.find((t) => t.type === config.type);
  if (!found) throw new Error(`no source type "${config.type}"`); // the schema admits only registered types
  return (found as unknown as SourceType).createAdapter(config);
}
