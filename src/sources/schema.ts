/**
 * The configuration schema of a source of any type: each source type's schema (its folder's
 * config.ts), selected by `type`. Only the configuration loader uses it; sources/registry.ts
 * must have an implementation for every type here (the compiler checks it).
 */
import { z } from 'zod';
import { CouchdbChangesSourceSchema } from './couchdb-changes/config';
import { HttpJsonSourceSchema } from './http-json/config';
import { NdjsonFilesSourceSchema } from './ndjson-files/config';

/** A configured source, of any type. */
export const SourceSchema = z.discriminatedUnion('type', [HttpJsonSourceSchema, NdjsonFilesSourceSchema, CouchdbChangesSourceSchema]);
export type SourceConfig = z.output<typeof SourceSchema>;
